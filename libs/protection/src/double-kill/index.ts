export { DoubleKill } from './double-kill.decorator';
export { ApiDoubleKill, type ApiDoubleKillOptions } from './api-double-kill.decorator';
export type { DoubleKillOptions } from './double-kill-options.interface';
export { DoubleKillException, DoubleKillKeyException } from './double-kill.exception';
export { DoubleKillContext, type DoubleKillRun } from './double-kill.context';
export { ProgressService } from './progress.service';
export type { ProgressRecord } from './progress.record';
