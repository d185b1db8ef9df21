export { FirstBlood } from './first-blood.decorator';
export type {
  CaptchaRenderer,
  CaptchaRendering,
  FirstBloodHandler,
  FirstBloodHandlerContext,
  FirstBloodOptions,
} from './first-blood-options.interface';
export { CaptchaImageLimitException, CaptchaRequiredException } from './first-blood.exception';
export { CODE_ALPHABET, generateCode } from './captcha.code';
