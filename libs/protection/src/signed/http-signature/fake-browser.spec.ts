/**
 * A page for the browser signing script, in a node:vm context: document.cookie,
 * document.currentScript, location, crypto (Node's webcrypto), fetch and XMLHttpRequest
 * stand-ins that record what would go on the wire. Shared by the browser-signer specs.
 */
import { webcrypto } from 'node:crypto';
import vm from 'node:vm';
import { signScriptSource } from './browser-signer';
import { checkContentDigest } from './content-digest';
import type { SignedRequestView } from './http-signature.types';
import { signatureBase } from './signature-base';
import { checkCoverage, checkFreshness, hmacMatches, parseSignatures } from './signature-verify';

/** A request as it left the page. */
export interface Sent {
  via: 'fetch' | 'xhr';
  method: string;
  url: URL;
  header: (name: string) => string | undefined;
  body: Buffer | undefined;
}

export interface PageOptions {
  cookie?: string;
  href?: string;
  baseURI?: string;
  /** The script tag's data-cookie attribute. */
  dataCookie?: string;
}

/** What the page exposes once the script ran. */
export interface Page {
  fetch: typeof fetch;
  XMLHttpRequest: new () => FakeXhr;
  document: { cookie: string };
  sent: Sent[];
  /** Resolves once `count` requests went out. */
  until(count: number): Promise<void>;
}

export interface FakeXhr {
  open(method: string, url: string | URL, async?: boolean): void;
  setRequestHeader(name: string, value: string): void;
  send(body?: unknown): void;
  abort(): void;
}

/** The exact bytes of a body as XMLHttpRequest would send them. */
async function bytesOf(body: unknown): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (Object.prototype.toString.call(body) === '[object ArrayBuffer]') {
    return Buffer.from(body as ArrayBuffer);
  }
  throw new TypeError('the fake XMLHttpRequest cannot send this body');
}

/** Loads the signing script into a fresh fake page. */
export function openPage(options: PageOptions = {}): Page {
  const href = options.href ?? 'https://app.example.com/dashboard/index.html?tab=1#top';
  const base = options.baseURI ?? href;
  const sent: Sent[] = [];
  const record = (s: Sent) => sent.push(s);

  class XMLHttpRequest implements FakeXhr {
    private method = '';
    private url = '';
    private headers: [string, string][] = [];
    open(method: string, url: string | URL): void {
      [this.method, this.url, this.headers] = [method, new URL(url, base).href, []];
    }
    setRequestHeader(name: string, value: string): void {
      this.headers.push([name.toLowerCase(), value]);
    }
    send(body?: unknown): void {
      const headers = this.headers;
      const [method, url] = [this.method, new URL(this.url)];
      void bytesOf(body).then((bytes) =>
        record({
          via: 'xhr',
          method,
          url,
          // Several values of one header are joined as they go on the wire.
          header: (name) =>
            headers.some(([n]) => n === name)
              ? headers
                  .filter(([n]) => n === name)
                  .map(([, v]) => v)
                  .join(', ')
              : undefined,
          body: bytes,
        }),
      );
    }
    abort(): void {}
  }

  const document = {
    cookie: options.cookie ?? '',
    baseURI: base,
    currentScript: {
      getAttribute: (name: string) =>
        name === 'data-cookie' ? (options.dataCookie ?? null) : null,
    },
  };
  const context: Record<string, unknown> = {
    document,
    location: { href, origin: new URL(href).origin },
    crypto: webcrypto,
    ...{ URL, URLSearchParams, TextEncoder, Headers, Request, Response, Blob, FormData },
    ...{ DOMException, ReadableStream, btoa },
    XMLHttpRequest,
    fetch: async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
      const request =
        input instanceof Request
          ? new Request(input, init)
          : new Request(new URL(input, base), init);
      const bytes = Buffer.from(await request.arrayBuffer());
      record({
        via: 'fetch',
        method: request.method,
        url: new URL(request.url),
        header: (name) => request.headers.get(name) ?? undefined,
        body: bytes.length ? bytes : undefined,
      });
      return new Response('ok');
    },
  };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(signScriptSource, context);

  const until = async (count: number) => {
    for (let i = 0; i < 500 && sent.length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (sent.length < count) throw new Error(`only ${sent.length} of ${count} requests went out`);
  };
  return {
    fetch: context.fetch as typeof fetch,
    XMLHttpRequest: context.XMLHttpRequest as new () => FakeXhr,
    document,
    sent,
    until,
  };
}

/** The server's view of a request that went out. */
export function serverView(s: Sent): SignedRequestView {
  return {
    method: s.method,
    path: s.url.pathname,
    query: s.url.search.slice(1),
    authority: s.url.host,
    scheme: s.url.protocol === 'https:' ? 'https' : 'http',
    header: s.header,
    body: s.body,
  };
}

/** Verifies a request that went out with our own verifier: 'OK' or why not. */
export function verifySent(s: Sent, secret: string, keyid: string): string {
  const view = serverView(s);
  const sigs = parseSignatures(view.header('signature-input'), view.header('signature'));
  if (typeof sigs === 'string') return sigs;
  const sig = sigs[0];
  if (!sig || sig.label !== 'sig' || sig.keyid !== keyid || sig.alg !== 'hmac-sha256') {
    return 'wrong parameters';
  }
  if (!/^[A-Za-z0-9_-]{22}$/.test(sig.nonce ?? '')) return 'no 16-byte base64url nonce';
  const failure =
    checkCoverage(sig, view) ?? checkFreshness(sig, Math.floor(Date.now() / 1000), 60, 5);
  if (failure) return failure;
  const base = signatureBase(sig, view);
  if (base === 'SIGNATURE_INVALID' || !hmacMatches(base, secret, sig.signature)) {
    return 'SIGNATURE_INVALID';
  }
  if (view.body?.length)
    return checkContentDigest(view.header('content-digest'), view.body) ?? 'OK';
  return view.header('content-digest') === undefined ? 'OK' : 'digest without a body';
}
