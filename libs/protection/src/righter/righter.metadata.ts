import { Reflector } from '@nestjs/core';
import type { RighterRouteOptions } from './righter-options.interface';

/** Typed metadata written by `@Righter`. */
export const RighterMetadata = Reflector.createDecorator<RighterRouteOptions>();
