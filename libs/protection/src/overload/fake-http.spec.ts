import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/*
 * Stand-ins for Node's request, response and socket, shared by the overload unit tests (a .spec
 * file, so the package build leaves it out). Only what the overload parts touch is there.
 */

export class FakeSocket extends EventEmitter {
  closed = false;
  constructor(readonly remoteAddress = '203.0.113.1') {
    super();
  }

  /** The client hangs up. */
  hangUp(): void {
    this.closed = true;
    this.emit('close');
  }
}

export class FakeResponse extends EventEmitter {
  statusCode = 200;
  readonly headers = new Map<string, string>();
  status: number | undefined;
  body: string | undefined;
  constructor(readonly req: IncomingMessage) {
    super();
  }

  setHeader(name: string, value: string): void {
    this.headers.set(name.toLowerCase(), value);
  }

  writeHead(status: number, headers: Record<string, string>): void {
    this.status = this.statusCode = status;
    for (const [name, value] of Object.entries(headers)) this.setHeader(name, value);
  }

  end(body?: string): void {
    this.body = body;
  }

  /** The response is over (sent, or its connection closed): what Node's 'close' means. */
  close(): void {
    this.emit('close');
  }

  json(): unknown {
    return JSON.parse(this.body ?? 'null');
  }
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse & FakeResponse;
  socket: Socket & FakeSocket;
}

/** A request on `socket` (a new connection unless given) and its response. */
export function exchange(
  options: {
    socket?: FakeSocket;
    url?: string;
    method?: string;
    headers?: Record<string, string>;
  } = {},
): Exchange {
  const socket = (options.socket ?? new FakeSocket()) as Socket & FakeSocket;
  const req = {
    socket,
    method: options.method ?? 'GET',
    url: options.url ?? '/',
    headers: options.headers ?? {},
  } as unknown as IncomingMessage;
  const res = new FakeResponse(req) as ServerResponse & FakeResponse;
  return { req, res, socket };
}

/** Lets pending promise callbacks run (microtasks only: works under mocked timers). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
