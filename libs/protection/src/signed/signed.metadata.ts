import { Reflector, type ReflectableDecorator } from '@nestjs/core';
import type { SignedRoute } from './signed-options.interface';

/** Typed metadata written by `@Signed`. */
export const SignedMetadata: ReflectableDecorator<SignedRoute> =
  Reflector.createDecorator<SignedRoute>();

/** Typed metadata written by `@SignPage`. */
export const SignPageMetadata: ReflectableDecorator<true> = Reflector.createDecorator<true>();
