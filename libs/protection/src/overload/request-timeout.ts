import type { Server } from 'node:http';

/**
 * Gives `server` a deadline for receiving a whole request (headers and body) when it has none
 * (Fastify's default): past it Node answers 408 and closes the connection, so a client sending
 * its body a byte at a time stops holding a place of the in-flight cap. A deadline the server
 * already has is left alone. Returns whether one was set.
 */
export function applyRequestTimeout(
  server: Server & { connectionsCheckingInterval?: number },
  ms: number,
): boolean {
  if (ms <= 0 || server.requestTimeout > 0) return false;
  server.requestTimeout = ms;
  if (server.headersTimeout > ms) server.headersTimeout = ms;
  // Node looks for overdue requests every connectionsCheckingInterval (30 s by default, read
  // when the server starts listening): often enough that a deadline means about what it says.
  server.connectionsCheckingInterval = Math.min(
    server.connectionsCheckingInterval ?? 30_000,
    Math.max(250, Math.floor(ms / 4)),
  );
  return true;
}
