import type { ProtectionMode } from '../core/decisions';
import type { RejectionModuleOptions } from '../core/option-resolvers';

/**
 * Who may call a signed route without a page signature: an address or CIDR (`'10.0.0.0/8'`,
 * `'::1'`) lets unsigned requests from there through; `{ keyid }` admits requests signed with
 * that service key (on a `browser: true` route, which otherwise accepts page signatures only).
 */
export type SignedAllow = string | { readonly keyid: string };

/**
 * The secret(s) of a key id, or undefined for an unknown one. Several secrets for one key id
 * are all accepted (rotation). The HMAC key is the secret's UTF-8 bytes.
 */
export type SignedKeyResolver = (
  keyid: string,
) =>
  | string
  | readonly string[]
  | undefined
  | null
  | Promise<string | readonly string[] | undefined | null>;

/** Browser signing (`@SignPage()` pages and `@Signed({ browser: true })` routes). */
export interface SignedBrowserOptions {
  /** Cookie carrying the page's signing key (readable by the page's script). @default 'np_sign' */
  cookie?: string;
  /** Where the library serves its signing script. @default '/protection/sign.js' */
  scriptPath?: string;
  /** Lifetime of a page's signing key, seconds. @default 3600 */
  ttl?: number;
}

/** Module-level `signed` options (request signatures, RFC 9421 with hmac-sha256). */
export interface SignedModuleOptions extends RejectionModuleOptions {
  /**
   * Service keys: `{ keyid: secret }` (a list of secrets per key id rotates them), or a
   * function resolving a key id. Secrets: at least 32 characters.
   * @example { billing: process.env.BILLING_SIGNING_SECRET }
   */
  keys?: Readonly<Record<string, string | readonly string[]>> | SignedKeyResolver;
  /** How old a signature's `created` may be, seconds; also how long its nonce is kept. @default 300 */
  window?: number;
  /** How far `created` may be ahead of this server's clock, seconds. @default 5 */
  clockSkew?: number;
  /** Internal callers every signed route admits unless it names its own `allow`. @default [] */
  allow?: readonly SignedAllow[];
  /** Largest body read for its digest, bytes; larger signed bodies are refused. @default 1048576 */
  maxBodyBytes?: number;
  /** Browser signing. @default {} */
  browser?: SignedBrowserOptions;
}

/** `@Signed()` options. */
export interface SignedOptions {
  /** Accept the signatures a `@SignPage()` page's script makes (and no service key unless allowed). @default false */
  browser?: boolean;
  /** Internal callers this route admits; replaces the module's `signed.allow`. */
  allow?: readonly SignedAllow[];
  /**
   * `'shadow'`: an unsigned or badly signed request is reported (outcome `shadow`, reason the
   * 401's code) and runs the handler. @default module `signed.mode` ('enforce')
   */
  mode?: ProtectionMode;
}

/** A route's signing settings after validation. */
export interface SignedRoute {
  readonly browser: boolean;
  /** undefined: the module's `allow`. */
  readonly allow: readonly SignedAllow[] | undefined;
  /** undefined: the module's `signed.mode`. */
  readonly mode: ProtectionMode | undefined;
}
