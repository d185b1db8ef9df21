import { Reflector, type ReflectableDecorator } from '@nestjs/core';
import type { FirstBloodRouteOptions } from './first-blood-options.interface';

/** Typed metadata written by `@FirstBlood`. */
export const FirstBloodMetadata: ReflectableDecorator<FirstBloodRouteOptions> =
  Reflector.createDecorator<FirstBloodRouteOptions>();
