import { Agent, createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How the proxy names the client to the app:
 * - `'alb'`: appends the address to `X-Forwarded-For` (an AWS ALB), every other header as sent;
 * - `'ipport'`: appends `address:port` (`[v6]:port`), as some load balancers do;
 * - `'real-ip'`: sets `X-Real-IP` to the address (nginx `proxy_set_header X-Real-IP`).
 */
export type ProxyMode = 'alb' | 'ipport' | 'real-ip';

/**
 * A test sets this request header to the address of the client it plays (another IPv4, an
 * IPv6 address): the proxy uses it as the client's address and does not forward it.
 */
export const CLIENT_ADDRESS = 'x-test-client-address';

export interface ReverseProxy {
  url: string;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to one connection: a proxy never forwards them.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/** `rawHeaders` without hop-by-hop headers and without `drop`, names and order as sent. */
function passThrough(raw: readonly string[], drop: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !drop.has(lower)) out.push(name, raw[i + 1] ?? '');
  }
  return out;
}

function headerLines(raw: readonly string[], lowerName: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === lowerName) lines.push(raw[i + 1] ?? '');
  return lines;
}

function clientOf(req: IncomingMessage, mode: ProxyMode): string {
  const chosen = req.headers[CLIENT_ADDRESS];
  const address = typeof chosen === 'string' ? chosen : (req.socket.remoteAddress ?? '');
  if (mode !== 'ipport') return address;
  const port = req.socket.remotePort ?? 0;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * A reverse proxy on 127.0.0.1 (port 0) in front of `target` (an app's URL): bodies are
 * streamed both ways. The app sees the proxy's loopback address as its socket peer.
 */
export async function startReverseProxy(target: string, mode: ProxyMode): Promise<ReverseProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const client = clientOf(req, mode);
    const raw = req.rawHeaders;
    let headers: string[];
    if (mode === 'real-ip') {
      headers = [...passThrough(raw, new Set([CLIENT_ADDRESS, 'x-real-ip'])), 'X-Real-IP', client];
    } else {
      // The client's own X-Forwarded-For lines, as one list, then its address on the right.
      const sent = headerLines(raw, 'x-forwarded-for');
      const xff = sent.length ? `${sent.join(', ')}, ${client}` : client;
      headers = [
        ...passThrough(raw, new Set([CLIENT_ADDRESS, 'x-forwarded-for'])),
        'X-Forwarded-For',
        xff,
      ];
    }
    const out = forward(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer) => {
        const back = passThrough(answer.rawHeaders, new Set());
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}
