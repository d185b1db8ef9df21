import { requestHeader, requestUrl, urlQueryParams } from '../core/http.adapter';
import { readCookie, userIdOf } from '../core/identity';
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
  return urlQueryParams(url, [name])[0];
}

/**
 * A request's terminal info; each field is worked out on first read. The fields are own
 * enumerable getters, so `{ ...info }` and `JSON.stringify(info)` see them all.
 */
class RequestTerminal {
  private cachedLocale: string | undefined;
  private cachedZone: string | undefined;

  /** An enumerable getter that reads the field with `read`. */
  private static field(read: (t: RequestTerminal) => unknown): PropertyDescriptor {
    return {
      enumerable: true,
      get(this: RequestTerminal) {
        return read(this);
      },
    };
  }

  private static readonly fields: PropertyDescriptorMap = {
    ip: RequestTerminal.field((t) => t.ctx.ip),
    agent: RequestTerminal.field((t) => t.readAgent()),
    locale: RequestTerminal.field((t) => t.readLocale()),
    timezone: RequestTerminal.field((t) => t.readZone()),
    userId: RequestTerminal.field((t) => t.readUserId()),
    identity: RequestTerminal.field((t) => t.ctx.identity),
    requestId: RequestTerminal.field((t) => t.ctx.requestId),
  };

  static create(ctx: RequestContext, settings: ResolvedTerminalOptions): TerminalInfo {
    return Object.defineProperties(
      new RequestTerminal(ctx, settings),
      RequestTerminal.fields,
    ) as unknown as TerminalInfo;
  }

  private constructor(
    private readonly ctx: RequestContext,
    private readonly settings: ResolvedTerminalOptions,
  ) {
    // Keep the internals out of spreads and JSON.
    Object.defineProperty(this, 'ctx', { enumerable: false });
    Object.defineProperty(this, 'settings', { enumerable: false });
  }

  private readAgent(): string {
    const ua = requestHeader(this.ctx.request, 'user-agent') ?? '';
    return ua.length <= MAX_AGENT ? ua : ua.slice(0, MAX_AGENT);
  }

  /** Query parameter, then Accept-Language, then cookie, then the default. */
  private readLocale(): string {
    const { request: req } = this.ctx;
    const { localeQuery, localeCookie, defaultLocale } = this.settings;
    return (this.cachedLocale ??=
      canonicalLocale(queryParam(requestUrl(req), localeQuery)) ??
      parseAcceptLanguage(requestHeader(req, 'accept-language')) ??
      canonicalLocale(readCookie(req, localeCookie)) ??
      defaultLocale);
  }

  /** Query parameter, then header, then cookie, then the default; IANA names only. */
  private readZone(): string {
    const { request: req } = this.ctx;
    const { zoneQuery, zoneHeader, zoneCookie, defaultZone } = this.settings;
    // Each source is read and matched only when the one before gave no known zone.
    return (this.cachedZone ??=
      matchTimeZone(queryParam(requestUrl(req), zoneQuery)) ??
      matchTimeZone(requestHeader(req, zoneHeader)) ??
      matchTimeZone(readCookie(req, zoneCookie)) ??
      defaultZone);
  }

  private readUserId(): string | null {
    // Read at access time: auth guards set req.user after the context was created.
    return userIdOf(this.ctx.request) ?? null;
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
    return ctx.slot(TERMINAL, () => RequestTerminal.create(ctx, settings));
  }
}
