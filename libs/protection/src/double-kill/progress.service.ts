import { Inject, Injectable } from '@nestjs/common';
import { ProtectionStore } from '../protection.store';
import { DoubleKillContext } from './double-kill.context';
import { PROGRESS_RECORD, type ProgressRecord } from './double-kill.runner';

/** Reads `@DoubleKill` progress records (from any instance sharing the store) and reports percent. */
@Injectable()
export class ProgressService {
  constructor(@Inject(ProtectionStore) private readonly store: ProtectionStore) {}

  /** `{ key, startedAt, stoppedAt, done, percent, result?, error? }` or null. */
  async get(key: string): Promise<ProgressRecord | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(key)) return null;
    const raw = await this.store.records.get(PROGRESS_RECORD + key);
    return raw ? (JSON.parse(raw) as ProgressRecord) : null;
  }

  /** Reports the percent done of the `@DoubleKill` call running in this async context. */
  report(percent: number): Promise<void> {
    return DoubleKillContext.report(percent);
  }
}
