import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { ProtectionRequest, ProtectionResponse } from './http.types';

/**
 * Per-handler metadata read once and cached by handler function, so a request pays one
 * WeakMap lookup. Method metadata wins over class metadata.
 */
export class HandlerMetadataCache<T> {
  private readonly cache = new WeakMap<object, Map<object, T | null>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: string | symbol,
  ) {}

  get(context: ExecutionContext): T | null {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byClass = this.cache.get(handler);
    if (!byClass) {
      byClass = new Map();
      this.cache.set(handler, byClass);
    }
    let value = byClass.get(cls);
    if (value === undefined) {
      value =
        this.reflector.get<T | undefined>(this.key, handler) ??
        this.reflector.get<T | undefined>(this.key, cls) ??
        null;
      byClass.set(cls, value);
    }
    return value;
  }
}

/** What a protection's guard works on: the route's options and the HTTP request and response. */
export interface GuardedCall<T> {
  readonly route: T;
  readonly req: ProtectionRequest;
  readonly res: ProtectionResponse;
}

/** The guarded HTTP call, or null when the feature is off or the handler carries no options. */
export function guardedCall<T>(
  context: ExecutionContext,
  on: boolean,
  routes: HandlerMetadataCache<T>,
): GuardedCall<T> | null {
  if (!on || context.getType() !== 'http') return null;
  const route = routes.get(context);
  if (!route) return null;
  const http = context.switchToHttp();
  return {
    route,
    req: http.getRequest<ProtectionRequest>(),
    res: http.getResponse<ProtectionResponse>(),
  };
}
