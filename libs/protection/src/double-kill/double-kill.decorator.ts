import { applyDecorators } from '@nestjs/common';
import { demandAsyncContext } from '../core/async-context';
import { documentRoute } from '../core/swagger';
import type { DoubleKillMethodOptions, DoubleKillOptions } from './double-kill-options.interface';
import { DOUBLE_KILL, RUNNER } from './double-kill.metadata';
import { resolveDoubleKillMethod } from './double-kill.options';
import { doubleKillDocs } from './double-kill.docs';

interface Runner {
  run(
    meta: DoubleKillMethodOptions,
    instance: object,
    original: (...args: unknown[]) => unknown,
    args: unknown[],
  ): unknown;
}

/**
 * A business lock around any provider or controller method: while one call with a key runs, a
 * second call with the same key is rejected at once with `DoubleKillException` (202); the lock
 * is released when the first call ends. Works through dependency injection, not only on routes.
 * The decorated method returns a Promise.
 *
 * @example
 * ```ts
 * @DoubleKill({ key: (orderId: string) => orderId })
 * async pay(orderId: string) { ... }
 * ```
 * @throws DoubleKillException when the same key is running (or, with `async`, once started).
 * @throws DoubleKillKeyException (400) when the key function throws or, with `checkNull`,
 * returns null or undefined.
 */
export function DoubleKill(options: DoubleKillOptions = {}): MethodDecorator {
  return (target, property, descriptor) => {
    const name = `${(target as { constructor: { name: string } }).constructor.name}.${String(property)}`;
    const meta = resolveDoubleKillMethod(options, name);
    const original = descriptor.value as unknown as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') throw new Error(`@DoubleKill on ${name}: not a method.`);
    // The trampoline finds the runner bound to the instance at module init; without one (module
    // absent or doubleKill off) it is the plain method. Installed now, not at init, because
    // Nest's router keeps the controller's function from before init.
    const trampoline = function (this: { [RUNNER]?: Runner }, ...args: unknown[]): unknown {
      const runner = this?.[RUNNER];
      return runner ? runner.run(meta, this, original, args) : original.apply(this, args);
    };
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), trampoline);
    }
    Object.defineProperty(trampoline, 'name', { value: original.name });
    Reflect.defineMetadata(DOUBLE_KILL, meta, trampoline);
    descriptor.value = trampoline as unknown as typeof descriptor.value;
    applyDecorators(
      // Always: the progress record is bound to the client, even when the key is not.
      demandAsyncContext('@DoubleKill (client of the lock and progress)'),
      documentRoute('doubleKill', doubleKillDocs(meta.async)),
    )(target, property, descriptor);
    return descriptor;
  };
}
