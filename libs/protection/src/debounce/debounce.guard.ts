import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DecisionPoint } from '../core/decision-point';
import { HandlerMetadataCache } from '../core/handler-metadata';
import { rawResponse, requestMethod } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { RawReplyException } from '../core/raw-reply';
import { identityMaterial } from '../core/identity';
import { uniqueId } from '../core/unique-id';
import type {
  ResolvedDebounceOptions,
  ResolvedProtectionOptions,
} from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { messages } from '../protection.messages';
import { ProtectionStore } from '../protection.store';
import { storeFailure } from '../store/store-failure.policy';
import type { DebounceRouteOptions } from './debounce-options.interface';
import { DEBOUNCED, DebouncedException } from './debounce.exception';
import {
  debounceMaterial,
  hashedDebounceKey,
  localDebounceKey,
  type DebounceKeyMaterial,
} from './debounce.key';
import { DebounceMetadata } from './debounce.metadata';
import { recordResponse } from './debounce.recorder';
import type { DebounceClaim, DebounceOutcome, DebouncePort } from './store/debounce.port';

const FEATURE = 'Debounce';

/**
 * Applied by `@Debounce` to its route only, so routes without the decorator never pay for it.
 * The leader runs the handler; followers get the preset 208 or the leader's response. A guard,
 * not an interceptor: the decision happens before the handler either way, the leader's
 * response is recorded at the Node response, and Nest's interceptor pipeline (rxjs) costs
 * several times more per request than a guard.
 */
@Injectable()
export class DebounceGuard implements CanActivate {
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  private readonly routes: HandlerMetadataCache<DebounceRouteOptions>;
  private readonly port: DebouncePort;
  private readonly point: DecisionPoint;

  constructor(
    reflector: Reflector,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) store: ProtectionStore,
  ) {
    this.routes = new HandlerMetadataCache(reflector, DebounceMetadata.KEY);
    this.port = store.debounce;
    this.point = new DecisionPoint('debounce', options.decisions);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const settings = this.options.debounce;
    if (!settings || context.getType() !== 'http') return true;
    const route = this.routes.get(context);
    if (!route) return true;
    // Not switchToHttp(): it makes three closures per call.
    return this.decide(
      context.getArgByIndex<ProtectionRequest>(0),
      context.getArgByIndex<ProtectionResponse>(1),
      route,
      settings,
    );
  }

  /**
   * True when this request should run the handler; throws the follower's answer otherwise.
   * Synchronous where the port can decide in-process (`claimSync`), so a leader costs no promise.
   */
  private decide(
    req: ProtectionRequest,
    res: ProtectionResponse,
    route: DebounceRouteOptions,
    settings: ResolvedDebounceOptions,
  ): boolean | Promise<boolean> {
    const waiting = route.waiting ?? settings.waiting;
    const material = debounceMaterial(req, route, this.identity);
    // Local keys only have to agree within this process; shared ones are the hashed form.
    const port = this.port;
    const key = port.localKeys ? localDebounceKey(material) : hashedDebounceKey(material);
    // Only a reusing leader's token is ever read (settle and wake-ups check it).
    const token = route.reuse ? uniqueId() : '';
    const started = Date.now();
    if (port.claimSync) {
      const claim = port.claimSync(key, token, waiting, route.reuse, started);
      return this.after(claim, req, res, route, settings, key, material, token, started);
    }
    return port.claim(key, token, waiting, route.reuse).then(
      (claim) => this.after(claim, req, res, route, settings, key, material, token, started),
      (err: unknown) => {
        const mode = route.mode ?? settings.mode;
        storeFailure(this.point, FEATURE, req, res, mode, settings.onStoreError, err);
        return true;
      },
    );
  }

  private after(
    claim: DebounceClaim,
    req: ProtectionRequest,
    res: ProtectionResponse,
    route: DebounceRouteOptions,
    settings: ResolvedDebounceOptions,
    key: string,
    material: DebounceKeyMaterial,
    token: string,
    started: number,
  ): boolean | Promise<boolean> {
    if (claim.role === 'leader') {
      if (route.reuse) this.recordLeader(req, res, key, token, settings);
      this.point.allowed(req);
      return true;
    }
    if ((route.mode ?? settings.mode) === 'shadow') {
      // Shadow mode: the duplicate is reported and runs the handler like a leader.
      this.point.record(
        req,
        'shadow',
        DEBOUNCED.code,
        settings.response?.status ?? DEBOUNCED.status,
      );
      return true;
    }
    if (!route.reuse) {
      this.verbose(messages.debounceRejected, material);
      this.reject(req, res, claim.remainingMs - (Date.now() - started), settings);
    }
    if (claim.outcome)
      return this.answer(claim.outcome, claim.remainingMs, req, res, material, started, settings);
    return this.port.await(key, claim.token, claim.remainingMs).then(
      (outcome) => this.answer(outcome, claim.remainingMs, req, res, material, started, settings),
      (err: unknown) => {
        storeFailure(this.point, FEATURE, req, res, 'enforce', settings.onStoreError, err);
        return true;
      },
    );
  }

  /** A reuse follower's answer: the leader's response, or the preset 208. */
  private answer(
    outcome: DebounceOutcome | null,
    remainingMs: number,
    req: ProtectionRequest,
    res: ProtectionResponse,
    material: DebounceKeyMaterial,
    started: number,
    settings: ResolvedDebounceOptions,
  ): never {
    if (outcome?.kind === 'response') {
      this.verbose(messages.debounceReused, material);
      this.point.record(req, 'reused');
      const { status, headers, body } = outcome.response;
      throw new RawReplyException({
        status,
        headers: { ...headers, 'x-debounce': 'reused' },
        body,
      });
    }
    this.verbose(messages.debounceRejected, material);
    this.reject(req, res, remainingMs - (Date.now() - started), settings);
  }

  /** A per-request line, with the hashed key; hashed only when verbose lines are printed at all. */
  private verbose(message: (key: string) => string, material: DebounceKeyMaterial): void {
    if (Logger.isLevelEnabled('verbose')) this.logger.verbose(message(hashedDebounceKey(material)));
  }

  // The key is a hash anyway, so the IP + User-Agent case needs no hash of its own here. Always
  // the same material (never a context's cached identity), so every instance builds the same
  // key whether or not it keeps a request context. A field, not a method: no closure per request.
  private readonly identity = (req: ProtectionRequest): string =>
    identityMaterial(req, this.options.identity);

  private recordLeader(
    req: ProtectionRequest,
    res: ProtectionResponse,
    key: string,
    token: string,
    settings: ResolvedDebounceOptions,
  ): void {
    recordResponse(
      rawResponse(res),
      { head: requestMethod(req) === 'HEAD', maxBodyBytes: settings.maxBodyBytes },
      (outcome) => {
        this.port.settle(key, token, outcome).catch((err: Error) => {
          // Followers then fall back to 208 when their wait ends; nothing else to do here.
          this.logger.warn(messages.debounceSettleFailed(err.message));
        });
      },
    );
  }

  private reject(
    req: ProtectionRequest,
    res: ProtectionResponse,
    remainingMs: number,
    settings: ResolvedDebounceOptions,
  ): never {
    const retryAfter = String(Math.max(1, Math.ceil(remainingMs / 1000)));
    this.point.rejectPreset(
      req,
      res,
      DEBOUNCED,
      settings.response,
      (body, status) => new DebouncedException(body, status, { 'Retry-After': retryAfter }),
    );
  }
}
