import { Reflector } from '@nestjs/core';
import type { FirstBloodRouteOptions } from './first-blood-options.interface';

/** Typed metadata written by `@FirstBlood`. */
export const FirstBloodMetadata = Reflector.createDecorator<FirstBloodRouteOptions>();
