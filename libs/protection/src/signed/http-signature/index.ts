export type {
  ParsedSignature,
  SignatureErrorCode,
  SignedRequestView,
} from './http-signature.types';
export {
  checkCoverage,
  checkFreshness,
  hmacMatches,
  MAX_SIGNATURE_HEADER,
  parseSignatures,
} from './signature-verify';
export { signatureBase } from './signature-base';
export { checkContentDigest, contentDigest } from './content-digest';
export { signRequest, type SignRequestInput } from './sign-request';
export { SIGN_SCRIPT_VERSION, signScriptSource } from './browser-signer';
