import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  Server as HttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { LatencyWindow } from './latency-window';

const STARTED = Symbol('nest-protection.started');
/** Start times are ms since this module loaded: a small integer on the response, not a heap number. */
const EPOCH = Date.now();
interface Timed {
  [STARTED]?: number;
}
/** Admitted requests on a connection whose response has not finished; -1 once it closed. */
const OPEN = Symbol('nest-protection.open');
interface OpenCount {
  [OPEN]?: number;
}
/** Node's HTTP/1 server publishes every finished response here (Node >= 16.18). */
const RESPONSE_FINISH = 'http.server.response.finish';
interface ResponseFinish {
  response: ServerResponse & Timed;
  socket: Socket & OpenCount;
  server: unknown;
}

/** Told of every request that ended with a finished response. */
export interface FinishedListener {
  check(res: ServerResponse, ms: number): void;
}

/**
 * Counts admitted requests until their response finishes or their connection closes, each
 * exactly once, and times them. Node already says once per response when it finished (a
 * channel message) and once per connection when it closed: listening there instead of adding a
 * 'close' listener to every response keeps counting nearly free. Other servers (HTTP/2) get the
 * listener.
 */
export class InFlightCounter {
  private count = 0;
  private total = 0;
  readonly latencies = new LatencyWindow(1024);
  private server: Server | undefined;
  private byChannel = false;
  private draining = false;
  private onDrained: (() => void) | null = null;

  constructor(private readonly finished: FinishedListener) {}

  /** Requests admitted and not yet ended. */
  get inFlight(): number {
    return this.count;
  }

  /** Requests ended so far. */
  get served(): number {
    return this.total;
  }

  /** Starts counting the requests of `server`; the channel is per process, so messages are filtered by server. */
  attach(server: Server): void {
    this.server = server;
    const node: object = server;
    this.byChannel = node instanceof HttpServer || node instanceof HttpsServer;
    if (this.byChannel) subscribe(RESPONSE_FINISH, this.onFinish);
  }

  detach(): void {
    if (this.byChannel) unsubscribe(RESPONSE_FINISH, this.onFinish);
    this.byChannel = false;
  }

  /**
   * Counts an admitted request. `late`: admitted after an asynchronous check, when its
   * connection may have closed meanwhile.
   */
  admit(req: IncomingMessage, res: ServerResponse, late: boolean): void {
    if (this.byChannel) {
      const socket = req.socket as (Socket & OpenCount) | null;
      const open = socket?.[OPEN];
      // A connection that closed while a check waited: nothing will end this request, so it is not counted.
      if (socket && open !== -1 && !(late && socket.closed)) {
        if (open === undefined) socket.once('close', this.onSocketClose);
        socket[OPEN] = (open ?? 0) + 1;
        this.count++;
        (res as Timed)[STARTED] = Date.now() - EPOCH;
      }
    } else {
      this.count++;
      (res as Timed)[STARTED] = Date.now() - EPOCH;
      // One shared listener, no closure per request; 'close' fires once, on every ending.
      res.on('close', this.onClose);
    }
  }

  /** From now on idle keep-alive connections are closed, each as soon as its response is out. */
  drain(): void {
    this.draining = true;
    this.server?.closeIdleConnections?.();
  }

  /** Resolves when no request is in flight, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
      this.onDrained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Listener mode: `this` is the response (a bound function, not a closure per request). */
  private readonly onClose = (function (counter: InFlightCounter) {
    return function (this: ServerResponse & Timed): void {
      const now = Date.now() - EPOCH;
      counter.end(this, now - (this[STARTED] ?? now));
    };
  })(this);

  /** Channel mode: a response finished; it ends its request unless its connection's close already did. */
  private readonly onFinish = (message: unknown): void => {
    const { response, socket, server } = message as ResponseFinish;
    const started = response[STARTED];
    if (started === undefined || server !== this.server) return;
    response[STARTED] = undefined;
    const open = socket[OPEN];
    if (open === undefined || open <= 0) return;
    socket[OPEN] = open - 1;
    this.end(response, Date.now() - EPOCH - started);
  };

  /** Channel mode: a connection closed; its requests whose response never finished (the client left) are over, untimed. */
  private readonly onSocketClose = (function (counter: InFlightCounter) {
    return function (this: Socket & OpenCount): void {
      const open = this[OPEN] ?? 0;
      this[OPEN] = -1;
      if (open > 0) counter.ended(open);
    };
  })(this);

  private end(res: ServerResponse, ms: number): void {
    this.latencies.add(ms);
    this.finished.check(res, ms);
    this.ended(1);
  }

  private ended(count: number): void {
    this.count -= count;
    this.total += count;
    if (this.count === 0) this.onDrained?.();
    // A finished keep-alive connection would hold server.close() until its idle timeout (72 s on Fastify).
    if (this.draining) setImmediate(() => this.server?.closeIdleConnections?.());
  }
}
