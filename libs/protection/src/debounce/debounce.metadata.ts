import { Reflector } from '@nestjs/core';
import type { DebounceRouteOptions } from './debounce-options.interface';

/** Typed metadata written by `@Debounce` and read (once per handler) by the interceptor. */
export const DebounceMetadata = Reflector.createDecorator<DebounceRouteOptions>();
