import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ResolvedProtectionOptions } from './protection-options.factory';
import { PROTECTION_OPTIONS } from './protection.constants';
import { ProtectionStore } from './protection.store';
import { SharedSecret } from './store/shared-secret';
import { setResponseHeader } from './core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from './core/http.types';
import { sessionOf } from './core/identity';

/**
 * Library-issued sessions: the only session values the protections accept as an identity. Mint
 * one where your app starts a visit (a landing or login route); a client that sends none, or one
 * the library did not sign, is told apart by its address and User-Agent instead.
 */
@Injectable()
export class ProtectionSession implements OnModuleInit {
  private readonly secret: SharedSecret;

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) store: ProtectionStore,
  ) {
    this.secret = new SharedSecret(store, 'session', options.secrets);
  }

  async onModuleInit(): Promise<void> {
    // The store may be down at boot: sessions then count as absent until the next issue() loads it.
    await this.load().catch(() => undefined);
  }

  /**
   * A new signed session. With `res`, it is also sent in the session header and as an
   * HttpOnly, SameSite=Lax cookie (add `Secure` behind HTTPS through your own cookie if needed).
   */
  async issue(res?: ProtectionResponse): Promise<string> {
    await this.load();
    const session = this.options.identity.sessions.mint();
    if (res) {
      const { sessionHeader, sessionCookie } = this.options.identity;
      setResponseHeader(res, sessionHeader, session);
      setResponseHeader(
        res,
        'Set-Cookie',
        `${sessionCookie}=${session}; Path=/; HttpOnly; SameSite=Lax`,
      );
    }
    return session;
  }

  /** True for a session value this app (or one sharing its secret) issued. */
  verify(value: string): boolean {
    return this.options.identity.sessions.verify(value);
  }

  /** The request's verified session (cookie first, then header), or undefined. */
  of(req: ProtectionRequest): string | undefined {
    return sessionOf(req, this.options.identity);
  }

  private async load(): Promise<void> {
    const keys = this.options.identity.sessions;
    if (keys.ready) return;
    keys.use(await this.secret.load());
  }
}
