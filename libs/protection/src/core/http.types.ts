import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * The part of a request the library reads. Both a Fastify request and an Express request
 * satisfy it, so user callbacks (`identity`, `response.body`) stay platform-neutral.
 */
export interface ProtectionRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
  readonly user?: unknown;
  /** Fastify keeps the Node request here; Express requests are the Node request. */
  readonly raw?: IncomingMessage;
  readonly socket?: IncomingMessage['socket'];
}

/** A Fastify reply or an Express response; only the platform adapter looks inside. */
export type ProtectionResponse = object;
