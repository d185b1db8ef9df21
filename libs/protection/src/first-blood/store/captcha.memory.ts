import { ExpiringTable, settle } from '../../store/expiring-table';
import type {
  BudgetResult,
  CaptchaCheckResult,
  CaptchaPort,
  CaptchaQuest,
  CaptchaQuestResult,
} from './captcha.port';

interface CaptchaState {
  code: string;
  expiresAt: number;
  retries: number;
}

const MINUTE_MS = 60_000;

/** CAPTCHA challenges of this process. */
export class CaptchaMemory implements CaptchaPort {
  private readonly challenges: ExpiringTable<CaptchaState>;
  /** Per ticket: images served in the current minute. */
  private readonly images: ExpiringTable<{ count: number; resetAt: number }>;
  /** Per (route, client address): guesses and images in the current window. */
  private readonly budgets: ExpiringTable<{ count: number; resetAt: number }>;

  constructor(maxEntries: number) {
    this.challenges = new ExpiringTable('CAPTCHA codes', maxEntries);
    this.images = new ExpiringTable('CAPTCHA image budgets', maxEntries);
    this.budgets = new ExpiringTable('CAPTCHA attempt budgets', maxEntries);
  }

  spend(key: string, limit: number, windowMs: number): Promise<BudgetResult> {
    return settle(() => this.spendSync(key, limit, windowMs));
  }

  private spendSync(key: string, limit: number, windowMs: number): BudgetResult {
    const now = Date.now();
    let budget = this.budgets.get(key, now);
    if (!budget) {
      budget = { count: 0, resetAt: now + windowMs };
      this.budgets.set(key, budget, windowMs, now);
    }
    return ++budget.count > limit
      ? { allowed: false, retryAfterMs: budget.resetAt - now }
      : { allowed: true, retryAfterMs: 0 };
  }

  quest(q: CaptchaQuest): Promise<CaptchaQuestResult> {
    return settle(() => this.questSync(q));
  }

  private questSync(q: CaptchaQuest): CaptchaQuestResult {
    const now = Date.now();
    let budget = this.images.get(q.ticket, now);
    if (!budget) {
      budget = { count: 0, resetAt: now + MINUTE_MS };
      this.images.set(q.ticket, budget, MINUTE_MS, now);
    }
    if (++budget.count > q.imagesPerMinute)
      return { result: 'limited', retryAfterMs: budget.resetAt - now };
    const key = q.ticket + '|' + q.route;
    const state = this.challenges.get(key, now);
    if (q.guess !== '' && state && state.code === q.guess && state.expiresAt > now) {
      return { result: 'same', retryAfterMs: 0 };
    }
    this.challenges.set(
      key,
      { code: q.code, expiresAt: now + q.codeTtlMs, retries: q.retries },
      q.stateTtlMs,
      now,
    );
    return { result: 'new', retryAfterMs: 0 };
  }

  check(
    ticket: string,
    route: string,
    guess: string,
    stateTtlMs: number,
  ): Promise<CaptchaCheckResult> {
    return settle(() => this.checkSync(ticket, route, guess, stateTtlMs));
  }

  private checkSync(
    ticket: string,
    route: string,
    guess: string,
    stateTtlMs: number,
  ): CaptchaCheckResult {
    const key = ticket + '|' + route;
    const now = Date.now();
    const state = this.challenges.get(key, now);
    if (!state) return 'none';
    if (state.expiresAt <= now) {
      this.challenges.delete(key);
      return 'expired';
    }
    if (state.code === guess) {
      this.challenges.delete(key);
      return 'ok';
    }
    if (--state.retries <= 0) {
      this.challenges.delete(key);
      return 'void';
    }
    this.challenges.set(key, state, stateTtlMs, now);
    return 'wrong';
  }

  clear(): void {
    this.challenges.clear();
    this.images.clear();
    this.budgets.clear();
  }
}
