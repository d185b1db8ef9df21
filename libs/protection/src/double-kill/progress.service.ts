import { Inject, Injectable } from '@nestjs/common';
import { LIBRARY, READS_CONTEXT } from '../core/async-context';
import { ProtectionStore } from '../protection.store';
import { DoubleKillContext } from './double-kill.context';
import { currentIdentity, progressRecordKey, type ProgressRecord } from './progress.record';

/**
 * Reads `@DoubleKill` progress records (from any instance sharing the store) and reports
 * percent. A record is readable only by the client identity that started the call.
 */
@Injectable()
export class ProgressService {
  static readonly [LIBRARY] = true;
  // The caller's identity comes from the request context.
  static readonly [READS_CONTEXT] = true;

  constructor(@Inject(ProtectionStore) private readonly store: ProtectionStore) {}

  /**
   * `{ key, startedAt, stoppedAt, done, percent, result?, error? }`, or null when there is no
   * such record for the current client (`system` outside a request).
   */
  async get(key: string): Promise<ProgressRecord | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(key)) return null;
    const raw = await this.store.records.get(progressRecordKey(currentIdentity(), key));
    return raw ? (JSON.parse(raw) as ProgressRecord) : null;
  }

  /** Reports the percent done of the `@DoubleKill` call running in this async context. */
  report(percent: number): Promise<void> {
    return DoubleKillContext.report(percent);
  }
}
