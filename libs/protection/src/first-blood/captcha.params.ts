import { requestHeader, urlQueryParams } from '../core/http.adapter';
import type { ProtectionRequest } from '../core/http.types';
import type { ResolvedFirstBloodOptions } from './first-blood.options';

const MAX_GUESS = 64;

/** What a request asks of the CAPTCHA: an image (`quest`, with an optional pre-check guess) or a check. */
export interface CaptchaParams {
  quest: string | undefined;
  check: string | undefined;
}

/** Query parameter first, then the header of the same name; overlong values read as empty. */
export function captchaParams(
  req: ProtectionRequest,
  url: string,
  settings: ResolvedFirstBloodOptions,
): CaptchaParams {
  const [qQuest, qCheck] = urlQueryParams(url, [settings.questName, settings.checkName]);
  const pick = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : value.length <= MAX_GUESS ? value : '';
  return {
    quest: pick(qQuest ?? requestHeader(req, settings.questName)),
    check: pick(qCheck ?? requestHeader(req, settings.checkName)),
  };
}

/** A code as compared: trimmed, and lower case unless `caseSensitive`. */
export function normalizeCode(code: string, settings: ResolvedFirstBloodOptions): string {
  const trimmed = code.trim();
  return settings.caseSensitive ? trimmed : trimmed.toLowerCase();
}
