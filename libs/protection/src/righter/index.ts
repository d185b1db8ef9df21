export { Righter, RighterAudit } from './righter.decorator';
export type { RighterOptions } from './righter-options.interface';
export { ForgeryException } from './righter.exception';
export { RighterService } from './righter.service';
