import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  getResponseHeader,
  requestMethod,
  requestUrl,
  setResponseHeader,
  urlPath,
} from '../core/http.adapter';
import { DecisionPoint, SHADOWED } from '../core/decision-point';
import type { ProtectionMode } from '../core/decisions';
import { RequestContext } from '../core/request-context';
import type {
  ResolvedProtectionOptions,
  ResolvedRighterOptions,
} from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { messages } from '../protection.messages';
import { ProtectionStore } from '../protection.store';
import { storeFailure } from '../store/store-failure.policy';
import { FORGERY, ForgeryException } from './righter.exception';
import { deriveKey, openToken, sealToken } from './righter.token';
import { LIBRARY, READS_CONTEXT } from '../core/async-context';
import { AppScan } from '../core/app-scan';
import { RighterMetadata } from './righter.metadata';

const RIGHTER = Symbol('nest-protection.righter');
const FEATURE = 'Righter';

/** Per-request righter state, set by `RighterGuard`. */
export interface RighterState {
  readonly edit: boolean;
  readonly scope: string;
  readonly ttl: number;
  /** A commit route's mode: `'shadow'` reports a forgery and lets the request through. */
  readonly mode: ProtectionMode;
  audit?: unknown;
}

/**
 * Seals and opens anti-forgery tokens. Handlers call `allow(data)` on a `@Righter(false)`
 * route and read `audit()` on a `@Righter()` route.
 */
@Injectable()
export class RighterService implements OnModuleInit {
  static readonly [LIBRARY] = true;
  static readonly [READS_CONTEXT] = true;

  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  /** Derived from `righter.secret`, else the module secret: the first seals, all open. */
  private readonly keys: readonly Buffer[];
  private readonly secretConfigured: boolean;
  private readonly point: DecisionPoint;

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
    private readonly scan: AppScan,
  ) {
    const own = options.righter?.secrets ?? null;
    this.keys = (own ?? options.secrets).map(deriveKey);
    this.secretConfigured = own !== null || options.secretConfigured;
    this.point = new DecisionPoint('righter', options.decisions);
  }

  onModuleInit(): void {
    if (!this.options.righter || this.secretConfigured) return;
    // Only apps with @Righter routes hear about the per-process secret.
    const routes = this.scan.labels(
      (m) =>
        typeof m.fn === 'function' && Reflect.getMetadata(RighterMetadata.KEY, m.fn) !== undefined,
    );
    if (routes.length > 0) this.logger.warn(messages.righterPerProcessSecret());
  }

  /**
   * Seals `data` for the client of the current `@Righter(false)` request and sets the
   * `Right-Editor` response header. Returns the token ('' when righter is switched off).
   * @throws Error when called outside a `@Righter(false)` route.
   */
  allow(data: unknown): string {
    // Switched off: the edit route keeps working, just without a token.
    if (!this.options.righter) return '';
    const settings = this.settings();
    const ctx = RequestContext.current();
    const state = ctx ? RighterService.state(ctx) : undefined;
    if (!ctx || !state?.edit) {
      const where = ctx
        ? `${requestMethod(ctx.request)} ${urlPath(requestUrl(ctx.request))}`
        : 'outside a request';
      throw new Error(messages.righterAllowOutsideEdit(where));
    }
    const now = Date.now();
    const token = sealToken(
      {
        d: data,
        iat: now,
        exp: now + state.ttl * 1000,
        sub: ctx.identity,
        scp: state.scope,
        jti: randomUUID(),
      },
      this.keys[0] as Buffer,
    );
    const res = ctx.response;
    if (res) {
      setResponseHeader(res, settings.header, token);
      // With CORS on, browsers hide custom headers unless they are exposed.
      if (getResponseHeader(res, 'access-control-allow-origin') !== undefined) {
        const exposed = getResponseHeader(res, 'access-control-expose-headers');
        const list = exposed ? exposed.split(',').map((h) => h.trim()) : [];
        if (!list.some((h) => h.toLowerCase() === settings.header.toLowerCase())) {
          setResponseHeader(
            res,
            'Access-Control-Expose-Headers',
            [...list, settings.header].join(', '),
          );
        }
      }
    }
    return token;
  }

  /** The data sealed by the edit route, on a `@Righter()` commit route (undefined elsewhere). */
  audit<T = unknown>(): T | undefined {
    const ctx = RequestContext.current();
    return (ctx ? RighterService.state(ctx)?.audit : undefined) as T | undefined;
  }

  /**
   * Checks the commit token of the current request; throws `ForgeryException` (409) for every
   * missing, malformed, tampered, expired, replayed or foreign token (in shadow mode, the
   * shadow pass instead). Resolves false when the decision was already reported (the store
   * was down).
   */
  async verify(ctx: RequestContext, state: RighterState, once: boolean): Promise<boolean> {
    const settings = this.settings();
    const token = ctx.request.headers[settings.header.toLowerCase()];
    if (typeof token !== 'string' || token === '') this.forgery(ctx, state.mode, 'no token');
    const payload = openToken(token, this.keys);
    const now = Date.now();
    if (!payload)
      this.forgery(
        ctx,
        state.mode,
        'malformed or tampered token, or sealed with an unknown secret',
      );
    if (payload.exp <= now)
      this.forgery(ctx, state.mode, `expired ${Math.ceil((now - payload.exp) / 1000)} s ago`);
    if (payload.sub !== ctx.identity) this.forgery(ctx, state.mode, 'issued to another client');
    if (payload.scp !== state.scope) {
      this.forgery(
        ctx,
        state.mode,
        `issued for scope ${JSON.stringify(payload.scp)}, this route's scope is ${JSON.stringify(state.scope)}`,
      );
    }
    let reported = false;
    if (once) {
      let first = true;
      try {
        first = await this.store.records.consumeOnce(`righter:${payload.jti}`, payload.exp - now);
      } catch (err) {
        const { request, response } = ctx;
        storeFailure(
          this.point,
          FEATURE,
          request,
          response,
          state.mode,
          settings.onStoreError,
          err,
        );
        reported = true;
      }
      if (!first) this.forgery(ctx, state.mode, 'replayed (single-use token already used)');
    }
    state.audit = payload.d;
    return !reported;
  }

  /** Righter state of a request (set by the guard). */
  static state(ctx: RequestContext): RighterState | undefined {
    return ctx.peek<RighterState>(RIGHTER);
  }

  /** Sets up the righter state of a request (once; later calls return the first). */
  static enter(ctx: RequestContext, init: () => RighterState): RighterState {
    return ctx.slot(RIGHTER, init);
  }

  private settings(): ResolvedRighterOptions {
    const s = this.options.righter;
    if (!s) throw new Error('Righter is switched off (righter: false).');
    return s;
  }

  /** 409 without the reason (the client learns nothing); the reason goes to the verbose log. */
  private forgery(ctx: RequestContext, mode: ProtectionMode, reason: string): never {
    if (Logger.isLevelEnabled('verbose')) {
      this.logger.verbose(
        messages.righterRefused(
          `${requestMethod(ctx.request)} ${urlPath(requestUrl(ctx.request))}`,
          reason,
        ),
      );
    }
    this.point.refusePreset(
      ctx.request,
      ctx.response,
      mode,
      FORGERY,
      this.options.righter?.response,
      (body, status) => new ForgeryException(body, status),
    );
    throw SHADOWED;
  }
}
