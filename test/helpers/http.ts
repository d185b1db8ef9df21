import { request as httpRequest } from 'node:http';

/** One HTTP exchange over a real socket, with its timing. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** ms from sending to the complete body. */
  ms: number;
  /** performance.now() when the body was complete. */
  at: number;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  /**
   * The loopback source address to connect from (`127.0.0.2`, ...): another client address as
   * the server's socket sees it, without any forwarding header.
   */
  from?: string;
}

export async function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'user-agent': 'e2e', ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const started = performance.now();
  if (options.from !== undefined)
    return requestFrom(url, options.from, options.method, headers, body, started);
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  const at = performance.now();
  return {
    status: res.status,
    headers: res.headers,
    text,
    ms: at - started,
    at,
    json: <T>() => JSON.parse(text) as T,
  };
}

function requestFrom(
  url: string,
  from: string,
  method = 'GET',
  headers: Record<string, string>,
  body: string | undefined,
  started: number,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress: from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const at = performance.now();
        const replyHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : [value ?? ''])
            replyHeaders.append(name, v);
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: replyHeaders,
          text,
          ms: at - started,
          at,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const post = (url: string, options: Omit<RequestOptions, 'method'> = {}): Promise<Reply> =>
  request(url, { ...options, method: 'POST' });

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends `fn` after `ms`, so requests start at known offsets from one another. */
export async function startingAfter<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  await sleep(ms);
  return fn();
}

/**
 * Retries `probe` every 100 ms until it returns true or `timeoutMs` passes (for recovery after
 * an outage, whose timing belongs to the client's reconnect loop); returns the last result.
 */
export async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

/** A session the app signed, from the demo's `GET /test/session.json` (base = `<url>/test`). */
export async function mintSession(base: string): Promise<string> {
  return (await request(`${base}/session.json`)).json<{ session: string }>().session;
}
