import type { RedisConnection } from '../../store/redis-connection';
import { CAPTCHA_SCRIPTS } from './captcha.lua';
import { sha256 } from '../../core/hash';
import type * as port from './captcha.port';

interface CaptchaCommands {
  npCaptchaQuest(
    ...args: [
      state: string,
      images: string,
      guess: string,
      code: string,
      codeTtlMs: number,
      retries: number,
      limit: number,
      stateTtlMs: number,
    ]
  ): Promise<[string, number]>;
  npCaptchaCheck(
    state: string,
    guess: string,
    stateTtlMs: number,
  ): Promise<port.CaptchaCheckResult>;
  npCaptchaSpend(counter: string, limit: number, windowMs: number): Promise<[number, number]>;
}

/** CAPTCHA challenges in Redis, so a ticket works on every instance. */
export class CaptchaRedis implements port.CaptchaPort {
  private readonly commands: CaptchaCommands;

  constructor(private readonly conn: RedisConnection) {
    this.commands = conn.defineCommands<CaptchaCommands>(CAPTCHA_SCRIPTS);
  }

  async quest(q: port.CaptchaQuest): Promise<port.CaptchaQuestResult> {
    const [result, pttl] = await this.conn.call(() =>
      this.commands.npCaptchaQuest(
        this.conn.k(`captcha:{${q.ticket}}:${q.route}`),
        this.conn.k(`captcha:{${q.ticket}}:images`),
        q.guess,
        q.code,
        q.codeTtlMs,
        q.retries,
        q.imagesPerMinute,
        q.stateTtlMs,
      ),
    );
    return {
      result: result as port.CaptchaQuestResult['result'],
      retryAfterMs: Math.max(0, Number(pttl)),
    };
  }

  async check(
    ticket: string,
    route: string,
    guess: string,
    stateTtlMs: number,
  ): Promise<port.CaptchaCheckResult> {
    const key = this.conn.k(`captcha:{${ticket}}:${route}`);
    return this.conn.call(() => this.commands.npCaptchaCheck(key, guess, stateTtlMs));
  }

  async spend(key: string, limit: number, windowMs: number): Promise<port.BudgetResult> {
    const counter = this.conn.k(`captcha-budget:{${sha256(key)}}`);
    const [count, pttl] = await this.conn.call(() =>
      this.commands.npCaptchaSpend(counter, limit, windowMs),
    );
    return Number(count) > limit
      ? { allowed: false, retryAfterMs: Math.max(0, Number(pttl)) }
      : { allowed: true, retryAfterMs: 0 };
  }
}
