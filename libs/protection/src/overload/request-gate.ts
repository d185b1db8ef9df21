import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DecisionPoint } from '../core/decision-point';
import type { ProtectionException } from '../core/protection.exception';
import type { FrontDoor, NodeListener } from '../core/server-hooks';
import type { InFlightCounter } from './in-flight.counter';
import { OverloadedException, ShuttingDownException } from './overload.exception';
import type { GateVerdicts, PerIpLimiter } from './per-ip.limiter';

const nowhere: NodeListener = () => undefined;
/** The route of overload decisions: they are taken before routing. */
const BEFORE_ROUTING = '*';

/**
 * Decides, ahead of Fastify or Express, whether a request reaches the framework: shutting down,
 * then the global cap, then the per-IP checks, then admit. A refusal here costs no routing and
 * no body parsing.
 */
export class RequestGate implements GateVerdicts {
  private refused = 0;
  private closed = false;
  private dispatch: NodeListener = nowhere;
  private answering: NodeListener = nowhere;

  /**
   * `maxConcurrent`: Infinity for no cap. `point`: where decisions are reported; `shadow`: the
   * refusals (but shutting down) are reported and the request is admitted.
   */
  constructor(
    private readonly maxConcurrent: number,
    private readonly counter: InFlightCounter,
    private readonly perIp: PerIpLimiter | null,
    private readonly point: DecisionPoint | null = null,
    private readonly shadow = false,
  ) {}

  /** Requests refused so far. */
  get rejected(): number {
    return this.refused;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * The Node listener in front of the framework's. The checks are written out rather than a
   * list of check functions: the common case (no cap reached, a permitted or limit-free client)
   * then allocates nothing and makes no call it can avoid.
   */
  listener(door: FrontDoor): NodeListener {
    this.dispatch = door.dispatch;
    this.answering = door.answering;
    const max = this.maxConcurrent;
    const counter = this.counter;
    const perIp = this.perIp;
    return (req, res) => {
      if (this.closed) return this.refuse(req, res, new ShuttingDownException());
      if (counter.inFlight >= max) return this.refuse(req, res, new OverloadedException());
      if (perIp) {
        const client = perIp.clientOf(req);
        if (client !== null) return perIp.limit(req, res, client, this);
      }
      this.admit(req, res, false);
    };
  }

  /** From now on every new request gets 503 SHUTTING_DOWN. */
  close(): void {
    this.closed = true;
  }

  /**
   * Lets the request through to the framework; counted until it ends. `degraded`: admitted by
   * the store-failure fallback of the per-IP check.
   */
  admit(req: IncomingMessage, res: ServerResponse, late: boolean, degraded = false): void {
    const point = this.point;
    if (point?.observer.on)
      point.record(req, degraded ? 'degraded' : 'allowed', undefined, undefined, BEFORE_ROUTING);
    this.counter.admit(req, res, late);
    this.dispatch(req, res);
  }

  /** Answers here, as the framework would: the onRequest hooks' headers (request id), then JSON. */
  refuse(req: IncomingMessage, res: ServerResponse, exception: ProtectionException): void {
    // A shutdown is never shadowed: the process is going away.
    const shadow = this.shadow && exception.code !== 'SHUTTING_DOWN';
    const point = this.point;
    if (point?.observer.on) {
      const outcome = shadow ? 'shadow' : 'rejected';
      point.record(req, outcome, exception.code, exception.getStatus(), BEFORE_ROUTING);
    }
    if (shadow) {
      this.counter.admit(req, res, true);
      return this.dispatch(req, res);
    }
    this.refused++;
    this.answering(req, res);
    const body = JSON.stringify(exception.getResponse());
    res.writeHead(exception.getStatus(), {
      ...exception.headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }
}
