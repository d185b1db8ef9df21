import type { ExecutionContext } from '@nestjs/common';
import type { ProtectionRequest } from './http.types';

/* Fakes shared by the guard unit specs: a Node-like request/response and an ExecutionContext. */

export interface FakeResponse {
  headers: Record<string, string>;
  setHeader(name: string, value: string): void;
  getHeader(name: string): string | undefined;
}

export function fakeRequest(
  url: string,
  headers: Record<string, string> = {},
  ip = '203.0.113.9',
): ProtectionRequest {
  return {
    url,
    method: 'POST',
    headers: { 'user-agent': 'unit', ...headers },
    socket: { remoteAddress: ip },
  } as unknown as ProtectionRequest;
}

export function fakeResponse(): FakeResponse {
  const headers: Record<string, string> = {};
  return {
    headers,
    setHeader: (name, value) => void (headers[name.toLowerCase()] = value),
    getHeader: (name) => headers[name.toLowerCase()],
  };
}

/** The context a guard sees for the method `method` of `cls` with this request and response. */
export function fakeContext<C extends { prototype: object }>(
  cls: C,
  method: keyof C['prototype'] & string,
  req: ProtectionRequest,
  res: FakeResponse,
): ExecutionContext {
  const handler = (cls.prototype as Record<string, unknown>)[method];
  const args = [req, res];
  return {
    getType: () => 'http',
    getClass: () => cls,
    getHandler: () => handler,
    getArgByIndex: (i: number) => args[i],
    getArgs: () => args,
    switchToHttp: () => ({
      getRequest: () => req,
      getResponse: () => res,
      getNext: () => undefined,
    }),
  } as unknown as ExecutionContext;
}
