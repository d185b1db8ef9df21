import {
  Injectable,
  type MiddlewareConsumer,
  type NestMiddleware,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ProtectionRequest, ProtectionResponse } from './http.types';

/** A Node `request` listener. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;
/** Before routing. `res` is a Fastify reply or a Node response: read and write it through core/http.adapter. */
export type RequestHook = (req: ProtectionRequest, res: ProtectionResponse) => void;
/** After body parsing, before guards; calls `next` to go on. */
export type PreHandler = (
  req: ProtectionRequest,
  res: ProtectionResponse,
  next: () => void,
) => void;

/** What a request gate gets from `ServerHooks.gate`. */
export interface FrontDoor {
  readonly server: Server;
  /** Hands an admitted request to the framework. */
  readonly dispatch: NodeListener;
  /** Runs the `onRequest` hooks the framework has not run; call it before answering a request yourself. */
  readonly answering: NodeListener;
}

export interface PreHandlerOptions {
  /** The rest of the request runs inside this one (it calls `next` in its own scope): it goes first. */
  wraps?: boolean;
  /** Asked once, when the hooks are installed (the app is scanned by then); false skips the hook. */
  when?: () => boolean;
}

type FastifyHook = (req: ProtectionRequest, reply: ProtectionResponse, done: () => void) => void;
interface FastifyLike {
  addHook(name: 'onRequest' | 'preHandler', hook: FastifyHook): void;
}
const nothing: NodeListener = () => undefined;

/**
 * The only code that adds Fastify hooks, Express middleware or Node `request` listeners.
 * Providers declare their hooks in their constructors: Express middleware is fixed when the
 * module's `configure()` runs (Express only), before any `onModuleInit`; the rest is installed
 * in `onModuleInit`, once every declaration is known.
 */
@Injectable()
export class ServerHooks implements OnModuleInit {
  private readonly nodeListeners: Array<{
    readonly fn: NodeListener;
    readonly when?: () => boolean;
  }> = [];
  private readonly requestHooks: RequestHook[] = [];
  private readonly preHandlers: Array<{ readonly fn: PreHandler } & PreHandlerOptions> = [];
  private wrap: ((door: FrontDoor) => NodeListener) | undefined;
  private sealed = false;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Whether the app runs on Fastify (else Express). */
  isFastify(): boolean {
    return this.adapterHost.httpAdapter?.getType() === 'fastify';
  }

  /** A Node `request` listener ahead of the framework, on both platforms (e.g. to see the body's first chunk). */
  onNodeRequest(fn: NodeListener, options: Pick<PreHandlerOptions, 'when'> = {}): void {
    this.open('onNodeRequest');
    this.nodeListeners.push({ fn, ...options });
  }

  /** Every request, answered here or by the framework (404s too): Fastify `onRequest` | Express: the Node listener. */
  onRequest(fn: RequestHook): void {
    this.open('onRequest');
    this.requestHooks.push(fn);
  }

  /** Fastify `preHandler` | Express middleware after Nest's body parsers. */
  preHandler(fn: PreHandler, options: PreHandlerOptions = {}): void {
    this.open('preHandler');
    this.preHandlers.push({ fn, ...options });
  }

  /** Replaces the framework's Node listener with `wrap`'s, which decides what reaches the framework (one gate). */
  gate(wrap: (door: FrontDoor) => NodeListener): void {
    this.open('gate');
    if (this.wrap) throw new Error('ServerHooks: a request gate is already declared');
    this.wrap = wrap;
  }

  /** Called by the module's `configure()`: Express middleware. */
  configure(consumer: MiddlewareConsumer): void {
    this.sealed = true;
    if (!this.adapterHost.httpAdapter || this.isFastify()) return;
    const handlers = this.activePreHandlers();
    if (handlers.length) consumer.apply(...handlers.map(middleware)).forRoutes('{*path}');
  }

  /** Installs the Fastify hooks and the Node listeners. */
  onModuleInit(): void {
    this.sealed = true;
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const fastify = this.isFastify();
    if (fastify) {
      const instance = adapter.getInstance<FastifyLike>();
      for (const hook of this.requestHooks) {
        instance.addHook('onRequest', (req, reply, done) => {
          hook(req, reply);
          done();
        });
      }
      for (const handler of this.activePreHandlers()) instance.addHook('preHandler', handler);
    }
    const server = adapter.getHttpServer() as Server | undefined;
    if (!server) return;
    // Express runs the onRequest hooks from the Node listener: inside the gate's when there is one.
    const front = fastify ? [] : this.requestHooks;
    if (this.wrap) {
      const answering = fastify && this.requestHooks.length ? all(this.requestHooks) : nothing;
      const gated = this.wrap({ server, dispatch: frameworkListener(server), answering });
      server.on('request', front.length ? ahead(all(front), gated) : gated);
    } else if (front.length) {
      server.prependListener('request', all(front));
    }
    const listeners = this.nodeListeners.filter((l) => l.when?.() ?? true);
    for (let i = listeners.length - 1; i >= 0; i--)
      server.prependListener('request', listeners[i]!.fn);
  }

  private activePreHandlers(): PreHandler[] {
    const active = this.preHandlers.filter((h) => h.when?.() ?? true);
    return [...active.filter((h) => h.wraps), ...active.filter((h) => !h.wraps)].map((h) => h.fn);
  }

  private open(what: string): void {
    if (this.sealed)
      throw new Error(
        `ServerHooks.${what}: hooks are declared in a provider's constructor, before the module is configured`,
      );
  }
}

/**
 * The framework's own listener(s), taken off the server. The common case (one listener) is a
 * direct call: every admitted request passes here.
 */
function frameworkListener(server: Server): NodeListener {
  const originals = server.listeners('request') as NodeListener[];
  server.removeAllListeners('request');
  const only = originals.length === 1 ? originals[0] : undefined;
  return only
    ? (req, res) => only.call(server, req, res)
    : (req, res) => {
        for (const listener of originals) listener.call(server, req, res);
      };
}

/** The hooks as one listener: one hook is itself (no loop on the hot path). */
function all(hooks: readonly RequestHook[]): NodeListener {
  if (hooks.length === 1) return hooks[0]!;
  return (req, res) => {
    for (const hook of hooks) hook(req, res);
  };
}

/** `first`, then `then`, as one Node listener rather than two (each emit pays per listener). */
function ahead(first: NodeListener, then: NodeListener): NodeListener {
  return (req, res) => {
    first(req, res);
    then(req, res);
  };
}

/** A Nest middleware class per pre-handler: a class `use` is called directly, a function middleware through a wrapper. */
function middleware(fn: PreHandler): Type<NestMiddleware> {
  return class PreHandlerMiddleware implements NestMiddleware {
    use(req: ProtectionRequest, res: ProtectionResponse, next: () => void): void {
      fn(req, res, next);
    }
  };
}
