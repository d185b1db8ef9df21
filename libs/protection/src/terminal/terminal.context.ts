import { rawRequest, requestHeader, requestUrl } from '../core/http.adapter';
import { readCookie } from '../core/identity';
import { RequestContext } from '../core/request-context';
import type { ResolvedTerminalOptions } from '../protection-options.factory';
import { canonicalLocale, parseAcceptLanguage } from './locale';
import { matchTimeZone, serverTimeZone } from './timezone';

/** Who is calling, from where, in which language and time zone. */
export interface TerminalInfo {
  /** Client IP; forwarding headers count only from trusted proxies. */
  readonly ip: string;
  /** The `User-Agent` header as sent ('' when absent). */
  readonly agent: string;
  /** BCP 47 tag, e.g. `en-US`. */
  readonly locale: string;
  /** IANA zone, e.g. `Asia/Tokyo`. */
  readonly timezone: string;
  /** `req.user.id` when an auth guard set it, else null. */
  readonly userId: string | null;
  /** Client identity (session, user, or IP + User-Agent hash). */
  readonly identity: string;
  /** Echoed in the `X-Request-Id` response header. */
  readonly requestId: string;
}

const TERMINAL = Symbol('nest-protection.terminal');
const MAX_AGENT = 1024;

function queryParam(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  try {
    return new URLSearchParams(url.slice(q + 1)).get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

/** A request's terminal info; each field is worked out on first read. */
class RequestTerminal implements TerminalInfo {
  private cachedLocale: string | undefined;
  private cachedZone: string | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly settings: ResolvedTerminalOptions,
  ) {}

  get ip(): string {
    return this.ctx.ip;
  }

  get agent(): string {
    const ua = requestHeader(this.ctx.request, 'user-agent') ?? '';
    return ua.length <= MAX_AGENT ? ua : ua.slice(0, MAX_AGENT);
  }

  get locale(): string {
    if (this.cachedLocale === undefined) {
      const req = this.ctx.request;
      const s = this.settings;
      this.cachedLocale =
        canonicalLocale(queryParam(requestUrl(req), s.localeQuery)) ??
        parseAcceptLanguage(requestHeader(req, 'accept-language')) ??
        canonicalLocale(readCookie(req, s.localeCookie)) ??
        s.defaultLocale;
    }
    return this.cachedLocale;
  }

  get timezone(): string {
    if (this.cachedZone === undefined) {
      const req = this.ctx.request;
      const s = this.settings;
      this.cachedZone =
        matchTimeZone(queryParam(requestUrl(req), s.zoneQuery)) ??
        matchTimeZone(requestHeader(req, s.zoneHeader)) ??
        matchTimeZone(readCookie(req, s.zoneCookie)) ??
        s.defaultZone;
    }
    return this.cachedZone;
  }

  get userId(): string | null {
    // Read at access time: auth guards set req.user after the context was created.
    const user = (this.ctx.request.user ?? (rawRequest(this.ctx.request) as { user?: unknown }).user) as
      | { id?: unknown }
      | null
      | undefined;
    const id = user?.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
  }

  get identity(): string {
    return this.ctx.identity;
  }

  get requestId(): string {
    return this.ctx.requestId;
  }

  toJSON(): TerminalInfo {
    const { ip, agent, locale, timezone, userId, identity, requestId } = this;
    return { ip, agent, locale, timezone, userId, identity, requestId };
  }
}

const SYSTEM: TerminalInfo = Object.freeze({
  ip: '127.0.0.1',
  agent: 'system',
  locale: 'en',
  timezone: serverTimeZone(),
  userId: null,
  identity: 'system',
  requestId: 'system',
});

/** Access to the terminal info of the current request. */
export class TerminalContext {
  /**
   * The current request's terminal info (from AsyncLocalStorage), or a fixed "system" context
   * outside a request or when the terminal protection is switched off.
   */
  static current(): TerminalInfo {
    const ctx = RequestContext.current();
    return ctx ? TerminalContext.of(ctx) : SYSTEM;
  }

  /** Terminal info of a given request context. */
  static of(ctx: RequestContext): TerminalInfo {
    const settings = ctx.options.terminal;
    if (!settings) return SYSTEM;
    return ctx.slot(TERMINAL, () => new RequestTerminal(ctx, settings));
  }
}
