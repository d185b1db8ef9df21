import { AsyncLocalStorage } from 'node:async_hooks';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { resolveClientIp, type ProxyTrust } from './client-ip';
import { getResponseHeader, rawRequest } from './http.adapter';
import type { ProtectionRequest, ProtectionResponse } from './http.types';
import { abuseKey, clientAddressKey, resolveIdentity } from './identity';
import { uniqueId } from './unique-id';

const CONTEXT = Symbol('nest-protection.context');
const storage = new AsyncLocalStorage<RequestContext>();
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What the library knows about the request being served, kept in AsyncLocalStorage so
 * services (a `@DoubleKill` method, a logger) can read it without the request object.
 * Expensive fields are computed on first read and then kept.
 */
export class RequestContext {
  private cachedIdentity: string | undefined;
  private cachedIp: string | undefined;
  private cachedAddressKey: string | undefined;
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

  /** Client identity: the authenticated user, a library-issued session, else address + User-Agent. */
  get identity(): string {
    return (this.cachedIdentity ??= resolveIdentity(this.request, this.options.identity));
  }

  /** Client IP; forwarding headers count only from trusted proxies. */
  get ip(): string {
    return (this.cachedIp ??= resolveClientIp(this.request, this.options.identity.trust));
  }

  /** The client address key: the IPv4 address, or the IPv6 address cut to its prefix. */
  get addressKey(): string {
    return (this.cachedAddressKey ??= clientAddressKey(this.request, this.options.identity));
  }

  /** What abuse counters count by: the authenticated user, else the client address key. */
  get abuseKey(): string {
    return abuseKey(this.request, this.options.identity);
  }

  /** A trusted proxy's request id when it is a safe token, else a new one. */
  get requestId(): string {
    return (this.cachedRequestId ??= requestIdOf(
      this.request,
      this.options.terminal?.requestIdHeader ?? 'x-request-id',
      this.options.identity.trust,
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
 * The request id of `req`: its `headerName` header when a trusted proxy sent it and it is a
 * safe token, else a new random id. A client's own id is never taken: it could name another
 * request's id and mix the two in the logs.
 * Once echoed, the response header is the record (no extra property on the hot request object,
 * whose shape Fastify keeps stable).
 */
export function requestIdOf(
  req: ProtectionRequest,
  headerName: string,
  trust: ProxyTrust,
  res?: ProtectionResponse,
): string {
  if (res) {
    const echoed = getResponseHeader(res, headerName);
    if (echoed !== undefined) return echoed;
  }
  const sent = req.headers[headerName];
  if (sent === undefined) return uniqueId();
  return typeof sent === 'string' &&
    SAFE_REQUEST_ID.test(sent) &&
    trust.trustsPeer(rawRequest(req).socket?.remoteAddress)
    ? sent
    : uniqueId();
}
