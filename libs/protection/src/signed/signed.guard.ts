import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LIBRARY } from '../core/async-context';
import { guardedCall, HandlerMetadataCache } from '../core/handler-metadata';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { rejectWith } from '../core/rejection';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { applyStoreErrorPolicy } from '../store/store-failure.policy';
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

  constructor(
    reflector: Reflector,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {
    this.routes = new HandlerMetadataCache(reflector, SignedMetadata.KEY);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const settings = this.options.signed;
    const call = guardedCall(context, settings !== null, this.routes);
    if (!settings || !call) return true;
    const { route, req, res } = call;
    let admission = this.admissions.get(route);
    if (!admission) this.admissions.set(route, (admission = admissionOf(route, settings)));
    const now = Date.now();
    const outcome = await verifyRequest(
      req,
      admission,
      settings,
      this.options.secrets,
      this.options.identity,
      now,
    );
    if (outcome === null) return true;
    if (typeof outcome === 'string') this.refuse(outcome, settings, req, res);
    let first = true;
    try {
      // The nonce is kept as long as its signature could pass the time window.
      // Key id and nonce are bounded (128 characters each) and no secret: kept as they are.
      first = await this.store.records.consumeOnce(
        `signed:${outcome.keyid}\n${outcome.nonce}`,
        (settings.window + settings.clockSkew) * 1000,
      );
    } catch (err) {
      applyStoreErrorPolicy(FEATURE, settings.onStoreError, err, res);
    }
    if (!first) this.refuse('SIGNATURE_REPLAYED', settings, req, res);
    return true;
  }

  private refuse(
    refusal: SignedRefusal,
    settings: ResolvedSignedOptions,
    req: ProtectionRequest,
    res: ProtectionResponse,
  ): never {
    rejectWith(
      res,
      req,
      SIGNED_REFUSALS[refusal],
      settings.response,
      (body, status) => new SignatureException(refusal, body, status),
    );
  }
}
