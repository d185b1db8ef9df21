import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DecisionPoint, passShadow } from '../core/decision-point';
import { guardedCall, HandlerMetadataCache } from '../core/handler-metadata';
import { resourcePath } from '../core/route-key';
import { RequestContext } from '../core/request-context';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import type { RighterRouteOptions } from './righter-options.interface';
import { RighterMetadata } from './righter.metadata';
import { RighterService } from './righter.service';
import { LIBRARY } from '../core/async-context';

/**
 * Applied by `@Righter` to its route. Edit routes: makes `allow()` available. Commit routes: refuses the request with 409 unless its token opens.
 */
@Injectable()
export class RighterGuard implements CanActivate {
  static readonly [LIBRARY] = true;

  private readonly routes: HandlerMetadataCache<RighterRouteOptions>;
  private readonly point: DecisionPoint;

  constructor(
    reflector: Reflector,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    private readonly righter: RighterService,
  ) {
    this.routes = new HandlerMetadataCache(reflector, RighterMetadata.KEY);
    this.point = new DecisionPoint('righter', options.decisions);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const settings = this.options.righter;
    const call = guardedCall(context, settings !== null, this.routes);
    if (!settings || !call) return true;
    const { route, req, res } = call;
    const ctx = RequestContext.of(req, res, this.options);
    const state = RighterService.enter(ctx, () => ({
      edit: route.edit,
      scope: route.scope ?? resourcePath(req),
      ttl: route.ttl ?? settings.ttl,
      mode: route.mode ?? settings.mode,
    }));
    if (route.edit) return true;
    try {
      if (await this.righter.verify(ctx, state, route.once ?? settings.once))
        this.point.allowed(req);
    } catch (err) {
      // Shadow mode: the forgery was reported; the handler runs (without audit data).
      return passShadow(err);
    }
    return true;
  }
}
