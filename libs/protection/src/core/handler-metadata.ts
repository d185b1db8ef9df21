import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

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
