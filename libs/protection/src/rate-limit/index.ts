export { RateLimit } from './rate-limit.decorator';
export type {
  PerRequest,
  RateLimitAlgorithm,
  RateLimitCount,
  RateLimitOptions,
} from './rate-limit-options.interface';
export type { RateLimitModuleOptions } from './rate-limit.options';
export { RateLimitService, type RateLimitState, type RateLimitValues } from './rate-limit.service';
export type { RateLimitSubject } from './rate-limit.subjects';
export { TooManyRequestsException } from '../core/too-many-requests.exception';
