export { Signed, SignPage } from './signed.decorator';
export type {
  SignedAllow,
  SignedBrowserOptions,
  SignedKeyResolver,
  SignedModuleOptions,
  SignedOptions,
} from './signed-options.interface';
export { SignatureException, type SignedRefusal } from './signed.exception';
export { SIGNED_SECURITY, SIGNED_SECURITY_SCHEME } from './signed.docs';
export { SignedPages } from './signed.pages';
export { signRequest, type SignRequestInput } from './http-signature';
