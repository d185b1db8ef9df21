import { preset, PresetException } from '../core/rejection';

/** The process already runs `maxConcurrent` requests. */
export const OVERLOADED = preset(503, 'OVERLOADED', 'Server overloaded; retry shortly');

/** The process is draining for shutdown. */
export const SHUTTING_DOWN = preset(
  503,
  'SHUTTING_DOWN',
  'Server shutting down; retry on another instance',
);

/** 503 `OVERLOADED`: the process already runs `maxConcurrent` requests. */
export class OverloadedException extends PresetException {
  constructor() {
    super(OVERLOADED, undefined, undefined, { 'Retry-After': '1' });
  }
}

/** 503 `SHUTTING_DOWN` with `Connection: close`: the process is draining. */
export class ShuttingDownException extends PresetException {
  constructor() {
    super(SHUTTING_DOWN, undefined, undefined, { Connection: 'close', 'Retry-After': '1' });
  }
}
