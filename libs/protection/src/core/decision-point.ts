import type { DecisionObserver } from './decision-observer';
import type { ProtectionDecisionOutcome, ProtectionMode, ProtectionName } from './decisions';
import type { ProtectionRequest, ProtectionResponse } from './http.types';
import {
  prepared,
  ProtectionException,
  reject,
  renderRejection,
  type RejectionBody,
  type RejectionResponseOptions,
} from './protection.exception';
import type { Preset } from './rejection';

/** A preset refusal: the request, its response, the preset, the module's override, the exception's maker, extra body fields. */
type PresetRefusal<X extends Record<string, unknown>> = [
  req: ProtectionRequest,
  res: ProtectionResponse | undefined,
  p: Preset<X>,
  override: RejectionResponseOptions | undefined,
  make: (body: RejectionBody | Record<string, unknown>, status: number) => ProtectionException,
  extra?: X,
];

/** Thrown instead of a rejection in shadow mode where the guard must stop deciding; the guard turns it into `true`. */
class ShadowPass extends Error {
  override name = 'ProtectionShadowPass';
}
const limit = Error.stackTraceLimit;
Error.stackTraceLimit = 0;
/** The one instance: a guard's catch compares against it (`passShadow`). */
export const SHADOWED: Error = new ShadowPass('shadow mode: the request goes on to the handler');
Error.stackTraceLimit = limit;

/** In a guard's catch: `true` for the shadow pass, else rethrows. */
export function passShadow(err: unknown): true {
  if (err === SHADOWED) return true;
  throw err;
}

/**
 * One protection's decision point: the one place where a decision is reported (metrics,
 * `onDecision`) and where shadow mode turns a refusal into a pass. Every method first checks
 * the observer's `on`, so with neither metrics nor `onDecision` a decision costs one boolean.
 */
export class DecisionPoint {
  constructor(
    readonly protection: ProtectionName,
    readonly observer: DecisionObserver,
  ) {}

  /** Reports an outcome; `route` when it is not the request's matched route. */
  record(
    req: ProtectionRequest | undefined,
    outcome: ProtectionDecisionOutcome,
    reason?: string,
    status?: number,
    route?: string,
  ): void {
    const o = this.observer;
    if (o.on) o.record(this.protection, req, outcome, reason, status, route);
  }

  /** The request passed the protection. */
  allowed(req: ProtectionRequest): void {
    const o = this.observer;
    if (o.on) o.record(this.protection, req, 'allowed');
  }

  /** A refusal that is always enforced: reported as `rejected`, its headers written to `res`, thrown. */
  reject(
    req: ProtectionRequest | undefined,
    res: ProtectionResponse | undefined,
    exception: ProtectionException,
    contentType?: string,
  ): never {
    const o = this.observer;
    if (o.on) o.record(this.protection, req, 'rejected', exception.code, exception.getStatus());
    reject(res, exception, contentType);
  }

  /**
   * A refusal under `mode`. Enforce: `reject`. Shadow: reported as `shadow` with the code and
   * status it would have answered, nothing written to `res`, and it returns: the caller lets the
   * request through.
   */
  refuse(
    req: ProtectionRequest | undefined,
    res: ProtectionResponse | undefined,
    mode: ProtectionMode,
    exception: ProtectionException,
    contentType?: string,
  ): void {
    if (mode !== 'shadow') this.reject(req, res, exception, contentType);
    this.record(req, 'shadow', exception.code, exception.getStatus());
  }

  /** `reject` of a preset answer, rendered with the module's `response` override. */
  rejectPreset<X extends Record<string, unknown>>(...args: PresetRefusal<X>): never {
    throw this.refusal(...args);
  }

  /** `rejectPreset` without the throw: reported, its headers written, returned (see `prepared`). */
  refusal<X extends Record<string, unknown>>(
    ...[req, res, p, override, make, extra]: PresetRefusal<X>
  ): ProtectionException {
    const rendered = renderRejection(p.body(extra), override, req);
    const exception = make(rendered.body, rendered.status);
    const o = this.observer;
    if (o.on) o.record(this.protection, req, 'rejected', exception.code, exception.getStatus());
    return prepared(res, exception, rendered.contentType);
  }

  /**
   * `refuse` of a preset answer. In shadow mode nothing is rendered: the report carries the
   * preset's code and the status the override would answer.
   */
  refusePreset<X extends Record<string, unknown>>(
    req: ProtectionRequest,
    res: ProtectionResponse | undefined,
    mode: ProtectionMode,
    p: Preset<X>,
    override: RejectionResponseOptions | undefined,
    make: (body: RejectionBody | Record<string, unknown>, status: number) => ProtectionException,
    extra?: X,
  ): void {
    if (mode !== 'shadow') this.rejectPreset(req, res, p, override, make, extra);
    this.record(req, 'shadow', p.code, override?.status ?? p.status);
  }
}
