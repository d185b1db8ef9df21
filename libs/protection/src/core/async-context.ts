/*
 * On Node 20, the first AsyncLocalStorage.run() turns on async hooks for the whole process,
 * and every promise then costs more: about a quarter of the CPU of a plain Nest route in our
 * benchmark. So the request context is entered into AsyncLocalStorage only when something in
 * the app reads it from there (module option `asyncContext`, default 'auto'). Decorators whose
 * code runs without the request object at hand (a `@DoubleKill` service method, a handler
 * calling `RighterService.allow()`) register that demand when they are applied; injecting
 * `TerminalService` or `RighterService` anywhere counts too (see the binder's scan).
 */

const DEMAND = 'nest-protection:async-context';

/**
 * Marks a method whose code reads the request context from AsyncLocalStorage (`reason` names
 * the decorator). The binder looks for these marks in the app's own classes at boot.
 */
export function demandAsyncContext(reason: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(DEMAND, reason, descriptor.value as object);
  };
}

/** The reason a method demands the async context, if it does. */
export function asyncContextDemand(method: unknown): string | undefined {
  return typeof method === 'function'
    ? (Reflect.getMetadata(DEMAND, method) as string | undefined)
    : undefined;
}

/** Marks the library's own classes, so the binder's scan only counts the app's. */
export const LIBRARY: unique symbol = Symbol.for('nest-protection.library-class');

/** Marks a library service that reads the request context: injecting it needs AsyncLocalStorage. */
export const READS_CONTEXT: unique symbol = Symbol.for('nest-protection.reads-context');
