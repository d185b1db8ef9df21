import { AsyncLocalStorage } from 'node:async_hooks';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { resolveClientIp } from './client-ip';
import { getResponseHeader } from './http.adapter';
import type { ProtectionRequest, ProtectionResponse } from './http.types';
import { resolveIdentity } from './identity';
import { uniqueId } from './unique-id';

const CONTEXT = Symbol('nest-protection.context');
const storage = new AsyncLocalStorage<RequestContext>();
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=-]{1,128}$/;

/**
 * What the library knows about the request being served, kept in AsyncLocalStorage so
 * services (a `@DoubleKill` method, a logger) can read it without the request object.
 * Expensive fields are computed on first read and then kept.
 */
export class RequestContext {
  private cachedIdentity: string | undefined;
  private cachedIp: string | undefined;
  private cachedRequestId: string | undefined;
  private slots: Map<symbol, unknown> | undefined;

  private constructor(
    readonly request: ProtectionRequest,
    readonly response: ProtectionResponse | undefined,
    readonly options: ResolvedProtectionOptions,
  ) {}

  /** The context of the current request, or undefined outside one. */
  static current(): RequestContext | undefined {
    return storage.getStore();
  }

  /** The context attached to `req`, created on first use. */
  static of(
    req: ProtectionRequest,
    res: ProtectionResponse | undefined,
    options: ResolvedProtectionOptions,
  ): RequestContext {
    const holder = req as { [CONTEXT]?: RequestContext };
    let ctx = holder[CONTEXT];
    if (!ctx) {
      ctx = new RequestContext(req, res, options);
      holder[CONTEXT] = ctx;
    }
    return ctx;
  }

  /** The context already attached to `req` (by the module's hook), if any. */
  static attached(req: ProtectionRequest): RequestContext | undefined {
    return (req as { [CONTEXT]?: RequestContext })[CONTEXT];
  }

  /** Runs `fn` (and everything it starts) inside this context. */
  static run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  }

  /** Client identity: custom function, session, user id, else a hash of IP and User-Agent. */
  get identity(): string {
    return (this.cachedIdentity ??= resolveIdentity(this.request, this.options.identity));
  }

  /** Client IP; forwarding headers count only from trusted proxies. */
  get ip(): string {
    return (this.cachedIp ??= resolveClientIp(this.request, this.options.identity.trust));
  }

  /** The client's request id when it is a sane token, else a new one. */
  get requestId(): string {
    return (this.cachedRequestId ??= requestIdOf(
      this.request,
      this.options.terminal?.requestIdHeader ?? 'x-request-id',
      this.response,
    ));
  }

  /** A protection's per-request data, if it was set. */
  peek<T>(key: symbol): T | undefined {
    return this.slots?.get(key) as T | undefined;
  }

  /** Per-request memo for a protection's own derived data (one entry per symbol). */
  slot<T>(key: symbol, init: () => T): T {
    const slots = (this.slots ??= new Map());
    if (slots.has(key)) return slots.get(key) as T;
    const value = init();
    slots.set(key, value);
    return value;
  }
}

/**
 * The request id of `req`: its `headerName` header when that is a sane token, else a new id
 * (core/unique-id.ts).
 * Once echoed, the response header is the record (no extra property on the hot request object,
 * whose shape Fastify keeps stable).
 */
export function requestIdOf(
  req: ProtectionRequest,
  headerName: string,
  res?: ProtectionResponse,
): string {
  if (res) {
    const echoed = getResponseHeader(res, headerName);
    if (echoed !== undefined) return echoed;
  }
  const sent = req.headers[headerName];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : uniqueId();
}
