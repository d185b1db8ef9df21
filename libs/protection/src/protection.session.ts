import { Inject, Injectable } from '@nestjs/common';
import { appendResponseHeader, setResponseHeader } from './core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from './core/http.types';
import { sessionOf } from './core/identity';
import type { ResolvedProtectionOptions } from './protection-options.factory';
import { PROTECTION_OPTIONS } from './protection.constants';

/**
 * Library-issued sessions: the only session values the protections accept as an identity. Mint
 * one where your app starts a visit (a landing or login route); a client that sends none, or one
 * the library did not sign, is told apart by its address and User-Agent instead.
 */
@Injectable()
export class ProtectionSession {
  constructor(@Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions) {}

  /**
   * A new session signed with the module `secret`. With `res`, it is also sent in the session
   * header and as an HttpOnly, SameSite=Lax cookie (behind HTTPS, set your own cookie with
   * `Secure` from the returned value if you need it).
   */
  issue(res?: ProtectionResponse): string {
    const session = this.options.identity.sessions.mint();
    if (res) {
      const { sessionHeader, sessionCookie } = this.options.identity;
      setResponseHeader(res, sessionHeader, session);
      appendResponseHeader(
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
}
