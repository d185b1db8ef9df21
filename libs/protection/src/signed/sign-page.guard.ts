import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LIBRARY } from '../core/async-context';
import { guardedCall, HandlerMetadataCache } from '../core/handler-metadata';
import { appendResponseHeader, setResponseHeader } from '../core/http.adapter';
import { identityMaterial } from '../core/identity';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionSession } from '../protection.session';
import { mintPageKey } from './page-keys';
import { SignPageMetadata } from './signed.metadata';

/**
 * Applied by `@SignPage` to an HTML route: the page is never cached (a cached page would hand
 * an old key to its script) and carries a signing key for this client in a cookie its script
 * reads. A client with neither a user nor a library session gets a session first, so the key
 * belongs to one session.
 */
@Injectable()
export class SignPageGuard implements CanActivate {
  static readonly [LIBRARY] = true;

  private readonly routes: HandlerMetadataCache<true>;

  constructor(
    reflector: Reflector,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    private readonly sessions: ProtectionSession,
  ) {
    this.routes = new HandlerMetadataCache(reflector, SignPageMetadata.KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const settings = this.options.signed;
    const call = guardedCall(context, settings !== null, this.routes);
    if (!settings || !call) return true;
    const { req, res } = call;
    let identity = identityMaterial(req, this.options.identity);
    if (identity.startsWith('a:')) identity = 's:' + this.sessions.issue(res);
    const key = mintPageKey(this.options.secrets[0]!, identity, settings.pageTtl, Date.now());
    setResponseHeader(res, 'Cache-Control', 'no-store');
    appendResponseHeader(
      res,
      'Set-Cookie',
      `${settings.cookie}=${key.keyid}~${key.key}; Path=/; Max-Age=${settings.pageTtl}; SameSite=Strict`,
    );
    return true;
  }
}
