import { Reflector, type ReflectableDecorator } from '@nestjs/core';
import type { RighterRouteOptions } from './righter-options.interface';

/** Typed metadata written by `@Righter`. */
export const RighterMetadata: ReflectableDecorator<RighterRouteOptions> =
  Reflector.createDecorator<RighterRouteOptions>();
