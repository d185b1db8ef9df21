import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Server as HttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { LIBRARY } from '../core/async-context';
import type { ProtectionException } from '../core/protection.exception';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { compileProxyTrust, resolveClientIp, type ProxyTrust } from '../core/client-ip';
import { requestIdOf } from '../core/request-context';
import { ProtectionStore } from '../store/protection-store.interface';
import { applyStoreErrorPolicy } from '../store/store-failure.policy';
import { StoreUnavailableError } from '../store/store.errors';
import { LatencyWindow } from './latency-window';
import { SLOW_MS } from './slow-log.decorator';
import { TooManyRequestsException } from '../core/too-many-requests.exception';
import { OverloadedException, ShuttingDownException } from './overload.exception';
import { uniqueId } from '../core/unique-id';

/** `OverloadService.stats()`. */
export interface OverloadStats {
  inFlight: number;
  served: number;
  rejected: number;
  /** Percentiles (ms) over the latest responses. */
  p50: number;
  p90: number;
  p99: number;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type PerIpSettings = NonNullable<NonNullable<ResolvedProtectionOptions['overload']>['perIp']>;
const STARTED = Symbol('nest-protection.started');
/** Start times are ms since this module loaded: a small integer on the response, not a heap number. */
const EPOCH = Date.now();
interface Timed {
  [STARTED]?: number;
}
const PERMITTED = Symbol('nest-protection.permitted');
/** Admitted requests on a connection whose response has not finished; -1 once it closed. */
const OPEN = Symbol('nest-protection.open');
interface SocketMemo {
  [PERMITTED]?: boolean;
  [OPEN]?: number;
}
/** Node's HTTP/1 server publishes every finished response here (Node >= 16.18). */
const RESPONSE_FINISH = 'http.server.response.finish';
interface ResponseFinish {
  response: ServerResponse & Timed;
  socket: Socket & SocketMemo;
  server: unknown;
}

/**
 * The global in-flight cap and graceful shutdown, at the earliest point there is: it wraps the
 * Node server's request listener, ahead of Fastify or Express, so a refused request costs no
 * routing and no body parsing. Counts every request once (its response finished or its
 * connection closed), times it, and logs slow ones.
 */
@Injectable()
export class OverloadService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  static readonly [LIBRARY] = true;
  private readonly logger = new Logger('ProtectionOverload');
  private inFlight = 0;
  private served = 0;
  private rejected = 0;
  private shuttingDown = false;
  private drained: (() => void) | null = null;
  private readonly latencies = new LatencyWindow(1024);
  private readonly slowLogged = new Map<string, number>();
  /** Requests in flight per client IP (only IPs with some in flight are kept). */
  private readonly perIpInFlight = new Map<string, number>();
  private server: Server | undefined;
  private readonly slowMs: number;
  /** Terminal info's request id header, when it is echoed. */
  private readonly echo: string | undefined;
  /** Counting by Node's response-finish channel (HTTP/1), not a listener per response. */
  private byChannel = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {
    this.slowMs = options.overload?.slowMs ?? Infinity;
    this.echo = options.terminal?.requestIdHeader;
  }

  stats(): OverloadStats {
    const [p50 = 0, p90 = 0, p99 = 0] = this.latencies.percentiles(50, 90, 99);
    return { inFlight: this.inFlight, served: this.served, rejected: this.rejected, p50, p90, p99 };
  }

  onModuleInit(): void {
    const settings = this.options.overload;
    if (!settings) return;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    this.server = server;
    // Node already tells, once per response, when it finished (a channel message) and, once
    // per connection, when it closed: listening there instead of adding a 'close' listener to
    // every response is what keeps the count nearly free. Other servers (HTTP/2) get the listener.
    const node: object = server;
    this.byChannel = node instanceof HttpServer || node instanceof HttpsServer;
    if (this.byChannel) subscribe(RESPONSE_FINISH, this.onFinish);
    const originals = server.listeners('request') as Listener[];
    server.removeAllListeners('request');
    // Every request passes here: the common case (one framework listener, a permitted or
    // per-IP-free client) allocates nothing and makes no call it can avoid.
    const only = originals.length === 1 ? originals[0] : undefined;
    this.dispatch = only
      ? (req, res) => only.call(server, req, res)
      : (req, res) => {
          for (const listener of originals) listener.call(server, req, res);
        };
    const max = settings.maxConcurrent < 0 ? Infinity : settings.maxConcurrent;
    const perIp = settings.perIp;
    const permitted = compileProxyTrust(settings.permit);
    const trust = this.options.identity.trust;
    // On Express terminal info's request id echo rides on this listener (one wrapper, not two);
    // on Fastify it goes in Fastify's own reply headers (see RequestContextBinder), and only
    // the refusals made here, which Fastify never sees, set it themselves.
    const echo = this.echo;
    const onNode = this.adapterHost.httpAdapter.getType() !== 'fastify' ? echo : undefined;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (onNode) res.setHeader(onNode, requestIdOf(req, onNode));
      if (this.shuttingDown) return this.refuse(req, res, new ShuttingDownException());
      if (this.inFlight >= max) return this.refuse(req, res, new OverloadedException());
      if (perIp) {
        const client = this.limitedClient(req, trust, permitted);
        if (client !== null) return this.limitIp(req, res, client, perIp);
      }
      this.admit(req, res);
    });
  }

  /**
   * The client IP the per-IP checks apply to, or null for a client on the permit list. A request
   * without forwarding headers comes from its socket's peer, so a permitted peer is remembered
   * on the socket: a keep-alive connection asks once.
   */
  private limitedClient(req: IncomingMessage, trust: ProxyTrust, permitted: ProxyTrust): string | null {
    const socket = req.socket as SocketMemo | null;
    const headers = req.headers;
    const direct = headers['x-real-ip'] === undefined && headers['x-forwarded-for'] === undefined;
    if (direct && socket?.[PERMITTED] === true) return null;
    const ip = resolveClientIp(req, trust, headers);
    const verdict = permitted.isTrusted(ip);
    if (direct && socket) socket[PERMITTED] = verdict;
    return verdict ? null : ip;
  }

  /**
   * Lets the request through to the framework; it is counted until its response finishes or
   * its connection closes. `late`: after an asynchronous check, when the connection may have
   * closed meanwhile.
   */
  private admit(req: IncomingMessage, res: ServerResponse, late = false): void {
    if (this.byChannel) {
      const socket = req.socket as (Socket & SocketMemo) | null;
      const open = socket?.[OPEN];
      // A connection that closed while a per-IP check waited on the store: nothing will end
      // this request, so it is not counted.
      if (socket && open !== -1 && !(late && socket.closed)) {
        if (open === undefined) socket.once('close', this.onSocketClose);
        socket[OPEN] = (open ?? 0) + 1;
        this.inFlight++;
        (res as Timed)[STARTED] = Date.now() - EPOCH;
      }
    } else {
      this.inFlight++;
      (res as Timed)[STARTED] = Date.now() - EPOCH;
      // One shared listener, no closure per request; 'close' fires once, on every ending.
      res.on('close', this.onClose);
    }
    this.dispatch(req, res);
  }

  private readonly onClose = (function (service: OverloadService) {
    return function (this: ServerResponse & Timed): void {
      const now = Date.now() - EPOCH;
      service.finished(this, now - (this[STARTED] ?? now));
    };
  })(this);

  /** A response finished (channel mode): it ends its request unless its connection's close already did. */
  private readonly onFinish = (message: unknown): void => {
    const { response, socket, server } = message as ResponseFinish;
    const started = response[STARTED];
    if (started === undefined || server !== this.server) return;
    response[STARTED] = undefined;
    const open = socket[OPEN];
    if (open === undefined || open <= 0) return;
    socket[OPEN] = open - 1;
    this.finished(response, Date.now() - EPOCH - started);
  };

  /**
   * A connection closed (channel mode): its requests whose response never finished (the client
   * went away) are over too. Not timed: they had no response.
   */
  private readonly onSocketClose = (function (service: OverloadService) {
    return function (this: Socket & SocketMemo): void {
      const open = this[OPEN] ?? 0;
      this[OPEN] = -1;
      if (open > 0) service.ended(open);
    };
  })(this);

  private dispatch: Listener = () => undefined;

  /** The per-IP checks, for clients outside the permit list. Each stands alone: they never change the global cap. */
  private limitIp(req: IncomingMessage, res: ServerResponse, ip: string, perIp: PerIpSettings): void {
    if (perIp.maxConcurrent !== null && (this.perIpInFlight.get(ip) ?? 0) >= perIp.maxConcurrent) {
      return this.refuse(req, res, new TooManyRequestsException(1));
    }
    this.perIpInFlight.set(ip, (this.perIpInFlight.get(ip) ?? 0) + 1);
    res.once('close', () => {
      const left = (this.perIpInFlight.get(ip) ?? 1) - 1;
      if (left <= 0) this.perIpInFlight.delete(ip);
      else this.perIpInFlight.set(ip, left);
    });
    const policy = [{ name: 'per-ip', limit: perIp.limit, windowMs: perIp.windowMs }];
    this.store.rateLimitHit('ip:' + ip, policy, uniqueId()).then(
      (decision) => {
        if (decision.allowed) return this.admit(req, res, true);
        const wait = Math.max(1, Math.ceil((decision.policies[0]?.resetMs ?? perIp.windowMs) / 1000));
        this.refuse(req, res, new TooManyRequestsException(wait));
      },
      (err: unknown) => {
        // The store is down: the per-IP limit fails open (the global cap still holds).
        if (err instanceof StoreUnavailableError) applyStoreErrorPolicy('Overload per-IP', 'open', err);
        else this.logger.error(`Per-IP check failed: ${String(err)}`);
        this.admit(req, res, true);
      },
    );
  }

  private finished(res: ServerResponse, ms: number): void {
    this.latencies.add(ms);
    const threshold = (res as { [SLOW_MS]?: number })[SLOW_MS] ?? this.slowMs;
    if (ms >= threshold) this.slow(res.req, res, ms);
    this.ended(1);
  }

  /** `count` requests are no longer in flight. */
  private ended(count: number): void {
    this.inFlight -= count;
    this.served += count;
    if (this.inFlight === 0) this.drained?.();
    // Draining: a finished keep-alive connection would hold server.close() until its idle
    // timeout (72 s on Fastify); close it as soon as its response is out.
    if (this.shuttingDown) setImmediate(() => this.server?.closeIdleConnections?.());
  }

  onApplicationShutdown(): void {
    if (this.byChannel) unsubscribe(RESPONSE_FINISH, this.onFinish);
    this.byChannel = false;
  }

  /** From now on new requests get 503 SHUTTING_DOWN; resolves when none is left or at drainTimeout. */
  async beforeApplicationShutdown(): Promise<void> {
    const settings = this.options.overload;
    if (!settings || this.shuttingDown) return;
    this.shuttingDown = true;
    this.server?.closeIdleConnections?.();
    if (this.inFlight === 0) return;
    this.logger.log(`Shutting down: waiting for ${this.inFlight} request(s), at most ${settings.drainTimeout} ms`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, settings.drainTimeout);
      timer.unref();
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private refuse(req: IncomingMessage, res: ServerResponse, exception: ProtectionException): void {
    this.rejected++;
    if (this.echo && !res.hasHeader(this.echo)) res.setHeader(this.echo, requestIdOf(req, this.echo));
    const body = JSON.stringify(exception.getResponse());
    res.writeHead(exception.getStatus(), {
      ...exception.headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }

  private slow(req: IncomingMessage, res: ServerResponse, ms: number): void {
    const route = `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0] ?? '/'}`.slice(0, 200);
    const now = Date.now();
    if (now - (this.slowLogged.get(route) ?? 0) < 5000) return;
    if (this.slowLogged.size > 1000) this.slowLogged.clear();
    this.slowLogged.set(route, now);
    this.logger.warn(`Slow request: ${route} ${res.statusCode} ${Math.round(ms)} ms`);
  }
}
