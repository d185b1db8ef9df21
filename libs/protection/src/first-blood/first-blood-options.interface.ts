import type { ProtectionMode } from '../core/decisions';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';

/** Options of `@FirstBlood()`. */
export interface FirstBloodOptions {
  /**
   * Free-pass interval in seconds: 0 = a CAPTCHA on every call; N > 0 = at most one call
   * without CAPTCHA per N seconds per (route, client identity). @default 0
   */
  first?: number;
  /** How long an issued code stays valid, in seconds. @default 300 */
  blood?: number;
  /** Wrong answers that void a code (a new image must then be fetched). @default 1 */
  retry?: number;
  /** Selects the handler: '' or a name starting with `image` is the built-in image CAPTCHA. @default '' */
  scene?: string;
  /**
   * `'shadow'`: a request that would get the 406 (or a 429 of the attempt budgets) is reported
   * (outcome `shadow`) and runs the handler. @default module `firstBlood.mode` ('enforce')
   */
  mode?: ProtectionMode;
}

/** `@FirstBlood` options after validation. */
export interface FirstBloodRouteOptions {
  readonly first: number;
  readonly blood: number;
  readonly retry: number;
  readonly scene: string;
  /** undefined: the module's `firstBlood.mode`. */
  readonly mode: ProtectionMode | undefined;
}

/** A rendered challenge image (or any other representation of the code). */
export interface CaptchaRendering {
  contentType: string;
  body: string | Buffer;
}

/** Replaces the built-in SVG rendering of a code. */
export type CaptchaRenderer = (code: string) => CaptchaRendering;

/** What a custom challenge handler sees. */
export interface FirstBloodHandlerContext {
  readonly request: ProtectionRequest;
  readonly response: ProtectionResponse;
  /** The route's `scene`. */
  readonly scene: string;
  readonly route: FirstBloodRouteOptions;
  /** The client identity (session, user, or IP + User-Agent hash). */
  readonly identity: string;
  /** The verified client ticket, if the request carried one. */
  readonly ticket: string | undefined;
}

/**
 * Another kind of challenge (a hosted CAPTCHA, an SMS code). The first handler that accepts a
 * route's scene decides: `handle` resolves true to let the request through, false to answer
 * 406 `CAPTCHA_REQUIRED`.
 */
export interface FirstBloodHandler {
  accepts(scene: string): boolean;
  handle(ctx: FirstBloodHandlerContext): Promise<boolean>;
}
