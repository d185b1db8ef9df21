export { RateLimit } from './rate-limit.decorator';
export type { RateLimitOptions } from './rate-limit-options.interface';
export { TooManyRequestsException } from './rate-limit.exception';
export { RateLimitGuard } from './rate-limit.guard';
