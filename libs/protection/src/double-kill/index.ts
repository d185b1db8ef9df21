export { DoubleKill } from './double-kill.decorator';
export type { DoubleKillOptions } from './double-kill-options.interface';
export { DoubleKillException } from './double-kill.exception';
export { DoubleKillContext, type DoubleKillRun } from './double-kill.context';
export { DoubleKillRunner, type ProgressRecord } from './double-kill.runner';
export { ProgressService } from './progress.service';
