export type {
  AlgorithmDecision,
  AlgorithmPolicy,
  AlgorithmState,
  AlgorithmSteps,
  GcraState,
  LogState,
  PolicyResult,
  RateLimitAlgorithm,
  RateLimitOp,
  StateWrite,
  WindowState,
} from './algorithm.types';
export { TOLERANCE } from './algorithm.types';
export {
  ALGORITHMS,
  checkAlgorithmPolicy,
  decide,
  decideOne,
  MAX_COST,
  type DecideResult,
} from './decide';
export { gcraSteps, MAX_DEBT_MS } from './gcra';
export { logSteps } from './sliding-log';
export { windowSteps } from './window-counter';
