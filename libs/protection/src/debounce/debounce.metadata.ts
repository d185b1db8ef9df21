import { Reflector, type ReflectableDecorator } from '@nestjs/core';
import type { DebounceRouteOptions } from './debounce-options.interface';

/** Typed metadata written by `@Debounce` and read (once per handler) by the interceptor. */
export const DebounceMetadata: ReflectableDecorator<DebounceRouteOptions> =
  Reflector.createDecorator<DebounceRouteOptions>();
