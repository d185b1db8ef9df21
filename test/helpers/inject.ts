import type { INestApplication } from '@nestjs/common';
import inject from 'light-my-request';
import type { Server } from 'node:http';

/*
 * Requests from a socket peer the tests cannot have: every test socket comes from loopback, and
 * a finding about a LAN peer (10.0.0.7, which the default trust must not take for a proxy)
 * needs that peer's address. light-my-request builds the request with the chosen
 * `remoteAddress` and no socket at all.
 *
 * The request is emitted on the app's HTTP server rather than handed to the Express app or to
 * `fastify.inject`: the library's request gate (overload, per-IP limits, the permit list) is a
 * listener on that server in front of the framework, and the framework's own injection would
 * skip it. One path then serves both platforms.
 */

export interface InjectedReply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

export interface InjectOptions {
  /** The socket peer the app sees. */
  remoteAddress: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string | string[]>;
  body?: string;
}

export async function injectFrom(
  app: INestApplication,
  options: InjectOptions,
): Promise<InjectedReply> {
  const server = app.getHttpServer() as Server;
  const reply = await inject(
    (req, res) => {
      // Node counts a response finished on a real connection only; the request gate's in-flight
      // count would wait for this one until the shutdown's drain timeout. The injected client
      // hangs up once answered, which ends it there. ('finish', not 'close': Express swaps the
      // response's prototype, and light-my-request's 'close' goes with it.)
      res.once('finish', () => req.socket.emit('close'));
      server.emit('request', req, res);
    },
    {
      method: options.method ?? 'GET',
      url: options.url,
      remoteAddress: options.remoteAddress,
      headers: { 'user-agent': 'e2e-inject', ...options.headers },
      ...(options.body !== undefined ? { payload: options.body } : {}),
    },
  );
  return { status: reply.statusCode, headers: reply.headers, text: reply.payload };
}
