import type { MiddlewareConsumer, NestMiddleware, Type } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { ServerHooks, type NodeListener } from './server-hooks';

type Hook = (req: unknown, reply: unknown, done: () => void) => void;

/** A platform stand-in: the Node server (an emitter), Fastify's addHook, Nest's middleware consumer. */
function platform(type: 'fastify' | 'express') {
  const server = new EventEmitter();
  const calls: string[] = [];
  server.on('request', () => calls.push('framework'));
  const fastifyHooks: Array<[string, Hook]> = [];
  const middleware: Array<Type<NestMiddleware>> = [];
  const host = {
    httpAdapter: {
      getType: () => type,
      getHttpServer: () => server,
      getInstance: () => ({
        addHook: (name: string, hook: Hook) => fastifyHooks.push([name, hook]),
      }),
    },
  } as unknown as HttpAdapterHost;
  const consumer = {
    apply: (...m: Array<Type<NestMiddleware>>) => (
      middleware.push(...m),
      { forRoutes: () => consumer }
    ),
  } as unknown as MiddlewareConsumer;
  const emit = (): void => void server.emit('request', {}, { setHeader: () => undefined });
  return { hooks: new ServerHooks(host), server, calls, fastifyHooks, middleware, consumer, emit };
}

/** A gate that records itself, then the hooks installed; returns a getter of its `answering`. */
function installGate(p: ReturnType<typeof platform>): () => NodeListener | undefined {
  let answering: NodeListener | undefined;
  p.hooks.gate((door) => {
    answering = door.answering;
    return (req, res) => (p.calls.push('gate'), door.dispatch(req, res));
  });
  p.hooks.configure(p.consumer);
  p.hooks.onModuleInit();
  return () => answering;
}

describe('ServerHooks', () => {
  it('Fastify: onRequest and preHandler hooks (wrapping ones first); the gate replaces the framework listener and runs the onRequest hooks for its own answers', () => {
    const p = platform('fastify');
    p.hooks.onNodeRequest(() => p.calls.push('node'));
    p.hooks.onRequest(() => p.calls.push('echo'));
    p.hooks.preHandler((_q, _r, next) => next());
    const context = (_q: unknown, _r: unknown, next: () => void): void => next();
    p.hooks.preHandler(context, { wraps: true });
    p.hooks.preHandler(() => assert.fail('skipped'), { when: () => false });
    const answering = installGate(p);
    assert.deepEqual(
      p.fastifyHooks.map(([name]) => name),
      ['onRequest', 'preHandler', 'preHandler'],
    );
    assert.equal(p.fastifyHooks[1]?.[1], context);
    assert.equal(p.middleware.length, 0, 'no Express middleware on Fastify');
    assert.equal(p.server.listenerCount('request'), 2);
    p.emit();
    assert.deepEqual(p.calls, ['node', 'gate', 'framework']);
    answering()?.({} as IncomingMessage, {} as ServerResponse);
    assert.deepEqual(p.calls.slice(3), ['echo']);
  });

  it('Express: the onRequest hooks ride on the gate listener (one listener); preHandlers become middleware in configure()', () => {
    const p = platform('express');
    p.hooks.onRequest(() => p.calls.push('echo'));
    p.hooks.preHandler((_q, _r, next) => (p.calls.push('log'), next()));
    p.hooks.preHandler((_q, _r, next) => (p.calls.push('context'), next()), { wraps: true });
    const answering = installGate(p);
    assert.equal(p.server.listenerCount('request'), 1);
    p.emit();
    assert.deepEqual(p.calls, ['echo', 'gate', 'framework']);
    answering()?.({} as IncomingMessage, {} as ServerResponse);
    assert.equal(p.calls.length, 3, 'the hooks already ran for every request');
    for (const M of p.middleware) new M().use({}, {}, () => undefined);
    assert.deepEqual(p.calls.slice(3), ['context', 'log']);
  });

  it('Express without a gate: the onRequest hooks are a listener ahead of the framework', () => {
    const p = platform('express');
    p.hooks.onRequest(() => p.calls.push('echo'));
    p.hooks.configure(p.consumer);
    p.hooks.onModuleInit();
    p.emit();
    assert.deepEqual(p.calls, ['echo', 'framework']);
  });

  it('refuses hooks declared once the module is configured', () => {
    const p = platform('express');
    p.hooks.configure(p.consumer);
    assert.throws(() => p.hooks.onRequest(() => undefined), /declared in a provider's constructor/);
  });
});
