export { OverloadService, type OverloadStats } from './overload.service';
export { OverloadedException, ShuttingDownException } from './overload.exception';
export { SlowLog } from './slow-log.decorator';
