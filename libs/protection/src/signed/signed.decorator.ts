import { applyDecorators, UseGuards } from '@nestjs/common';
import { documentRoute } from '../core/swagger';
import type { SignedOptions } from './signed-options.interface';
import { SignPageGuard } from './sign-page.guard';
import { signedDocs, signPageDocs } from './signed.docs';
import { SignedGuard } from './signed.guard';
import { SignedMetadata, SignPageMetadata } from './signed.metadata';
import { resolveSignedRoute } from './signed.options';

/**
 * Refuses requests that are not signed (HTTP Message Signatures, RFC 9421, hmac-sha256) with
 * 401 before the handler. Service callers sign with a key of `signed.keys` (`signRequest()` in
 * Node); `browser: true` routes accept the calls a `@SignPage()` page's script signs; `allow`
 * admits internal callers by address or key id.
 *
 * @example
 * ```ts
 * @Post('orders') @Signed()
 * create(@Body() dto: OrderDto) { ... }
 * ```
 * @throws SignatureException (401 SIGNATURE_MISSING, SIGNATURE_INVALID, SIGNATURE_EXPIRED,
 * SIGNATURE_REPLAYED, DIGEST_MISMATCH).
 */
export function Signed(options: SignedOptions = {}): MethodDecorator {
  const route = resolveSignedRoute(options);
  return applyDecorators(
    SignedMetadata(route),
    UseGuards(SignedGuard),
    documentRoute('signed', signedDocs(route.browser)),
  );
}

/**
 * Marks an HTML page whose script signs its API calls: the answer gets `Cache-Control: no-store`
 * and a signing key for this session in a cookie; include `SignedPages.scriptTag()` in the page.
 * This raises the cost of scripted calls (a script must load the page and sign like a browser);
 * the key is in the page, so it is no secret from the page's user.
 */
export function SignPage(): MethodDecorator {
  return applyDecorators(
    SignPageMetadata(true),
    UseGuards(SignPageGuard),
    documentRoute('signed', signPageDocs()),
  );
}
