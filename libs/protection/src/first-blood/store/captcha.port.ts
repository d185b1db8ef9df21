/** Outcome of a CAPTCHA image request. */
export interface CaptchaQuestResult {
  /** `same`: the guess equals the live code (pre-check); `new`: a new code was stored; `limited`: too many images. */
  result: 'same' | 'new' | 'limited';
  /** With `limited`: ms until the image budget refills. */
  retryAfterMs: number;
}

/** Outcome of submitting a CAPTCHA code: `ok` consumes it; `void` and `expired` drop it. */
export type CaptchaCheckResult = 'ok' | 'wrong' | 'void' | 'expired' | 'none';

/** One CAPTCHA challenge, per (ticket, route). Codes are compared as given (normalize first). */
export interface CaptchaQuest {
  ticket: string;
  route: string;
  /** The client's guess ('' for none). */
  guess: string;
  /** The code to store when the guess does not match the live one. */
  code: string;
  /** How long the code is valid (`blood`). */
  codeTtlMs: number;
  /** Wrong answers that void the code (`retry`). */
  retries: number;
  /** Images allowed per ticket per minute. */
  imagesPerMinute: number;
  /** The challenge state lives this long after its last change. */
  stateTtlMs: number;
}

/** Outcome of spending one unit of a budget. */
export interface BudgetResult {
  allowed: boolean;
  /** When refused: ms until the window starts again. */
  retryAfterMs: number;
}

/**
 * CAPTCHA challenges of `@FirstBlood`. Every operation is one atomic step; implementations
 * throw `StoreUnavailableError` when the backend cannot answer in time.
 */
export interface CaptchaPort {
  /**
   * An image request: counts it against the ticket's per-minute budget, then either confirms
   * the guess equals the live code or stores `code` as the new one.
   */
  quest(quest: CaptchaQuest): Promise<CaptchaQuestResult>;

  /**
   * Submits a guess for (ticket, route): a match consumes the code; a miss uses one retry and
   * voids the code when none is left; an expired code is dropped.
   */
  check(
    ticket: string,
    route: string,
    guess: string,
    stateTtlMs: number,
  ): Promise<CaptchaCheckResult>;

  /**
   * Spends one unit of `key`'s budget: at most `limit` per fixed window of `windowMs` (guesses
   * and images per route and client address, which a client cannot reset by changing tickets).
   */
  spend(key: string, limit: number, windowMs: number): Promise<BudgetResult>;
}
