import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LIBRARY } from '../core/async-context';
import { DecisionPoint } from '../core/decision-point';
import type { ProtectionMode } from '../core/decisions';
import { guardedCall, HandlerMetadataCache } from '../core/handler-metadata';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { storeFailure } from '../store/store-failure.policy';
import type { SignedRoute } from './signed-options.interface';
import { SignatureException, SIGNED_REFUSALS, type SignedRefusal } from './signed.exception';
import { SignedMetadata } from './signed.metadata';
import type { ResolvedSignedOptions } from './signed.options';
import { admissionOf, verifyRequest, type RouteAdmission } from './signed.verifier';

const FEATURE = 'Signed';

/**
 * Applied by `@Signed` to its route: refuses with 401 before the handler unless the request is
 * an admitted internal call or carries a signature that verifies and was not seen before.
 */
@Injectable()
export class SignedGuard implements CanActivate {
  static readonly [LIBRARY] = true;

  private readonly routes: HandlerMetadataCache<SignedRoute>;
  private readonly admissions = new WeakMap<SignedRoute, RouteAdmission>();
  private readonly point: DecisionPoint;

  constructor(
    reflector: Reflector,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {
    this.routes = new HandlerMetadataCache(reflector, SignedMetadata.KEY);
    this.point = new DecisionPoint('signed', options.decisions);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const settings = this.options.signed;
    const call = guardedCall(context, settings !== null, this.routes);
    if (!settings || !call) return true;
    const { route, req, res } = call;
    let admission = this.admissions.get(route);
    if (!admission) this.admissions.set(route, (admission = admissionOf(route, settings)));
    const now = Date.now();
    const verified = verifyRequest({
      req,
      admission,
      settings,
      secrets: this.options.secrets,
      identity: this.options.identity,
      nowMs: now,
    });
    const outcome = verified instanceof Promise ? await verified : verified;
    const mode = route.mode ?? settings.mode;
    // An admitted internal call (outcome null) passes the protection like a verified one.
    if (typeof outcome === 'string') return this.refuse(outcome, settings, req, res, mode);
    if (outcome !== null) {
      let first: boolean;
      try {
        // The nonce is kept as long as its signature could pass the time window. Key id and
        // nonce are bounded (128 characters each) and no secret: kept as they are.
        first = await this.store.records.consumeOnce(
          `signed:${outcome.keyid}\n${outcome.nonce}`,
          (settings.window + settings.clockSkew) * 1000,
        );
      } catch (err) {
        // 'open' (or shadow mode): accepted without the replay check, reported as such.
        storeFailure(this.point, FEATURE, req, res, mode, settings.onStoreError, err);
        return true;
      }
      if (!first) return this.refuse('SIGNATURE_REPLAYED', settings, req, res, mode);
    }
    this.point.allowed(req);
    return true;
  }

  /** 401; in shadow mode reported, and the request goes on (true). */
  private refuse(
    refusal: SignedRefusal,
    settings: ResolvedSignedOptions,
    req: ProtectionRequest,
    res: ProtectionResponse,
    mode: ProtectionMode,
  ): true {
    this.point.refusePreset(
      req,
      res,
      mode,
      SIGNED_REFUSALS[refusal],
      settings.response,
      (body, status) => new SignatureException(refusal, body, status),
    );
    return true;
  }
}
