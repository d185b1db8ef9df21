export { RateLimit } from './rate-limit.decorator';
export type { RateLimitOptions } from './rate-limit-options.interface';
export { TooManyRequestsException } from '../core/too-many-requests.exception';
