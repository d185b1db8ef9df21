import { AsyncLocalStorage } from 'node:async_hooks';
import { resolveClientIp } from './client-ip';
import type { ProtectionRequest, ProtectionResponse } from './http.types';
import { resolveIdentity, type IdentitySettings } from './identity';

const CONTEXT = Symbol('nest-protection.context');
const storage = new AsyncLocalStorage<RequestContext>();

/**
 * What the library knows about the request being served, kept in AsyncLocalStorage so
 * services (a `@DoubleKill` method, a logger) can read it without the request object.
 * Expensive fields are computed on first read and then kept.
 */
export class RequestContext {
  private cachedIdentity: string | undefined;
  private cachedIp: string | undefined;

  private constructor(
    readonly request: ProtectionRequest,
    readonly response: ProtectionResponse | undefined,
    private readonly settings: IdentitySettings,
  ) {}

  /** The context of the current request, or undefined outside one. */
  static current(): RequestContext | undefined {
    return storage.getStore();
  }

  /** The context attached to `req`, created on first use. */
  static of(
    req: ProtectionRequest,
    res: ProtectionResponse | undefined,
    settings: IdentitySettings,
  ): RequestContext {
    const holder = req as { [CONTEXT]?: RequestContext };
    let ctx = holder[CONTEXT];
    if (!ctx) {
      ctx = new RequestContext(req, res, settings);
      holder[CONTEXT] = ctx;
    }
    return ctx;
  }

  /** Runs `fn` (and everything it starts) inside this context. */
  static run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  }

  /** Client identity, spec README section 3. */
  get identity(): string {
    return (this.cachedIdentity ??= resolveIdentity(this.request, this.settings));
  }

  /** Client IP; forwarding headers count only from trusted proxies. */
  get ip(): string {
    return (this.cachedIp ??= resolveClientIp(this.request, this.settings.trust));
  }
}
