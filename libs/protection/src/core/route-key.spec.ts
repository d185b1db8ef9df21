import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtectionRequest } from './http.types';
import { canonicalPath, resourcePath, routeKey, routePath } from './route-key';

const express = (method: string, url: string, path?: string, params = {}): ProtectionRequest => ({
  method,
  url,
  headers: {},
  ...(path ? { route: { path }, params } : {}),
});
const fastify = (method: string, url: string, pattern: string, params = {}): ProtectionRequest =>
  ({
    method,
    url,
    headers: {},
    routeOptions: { url: pattern },
    params,
    raw: {},
  }) as unknown as ProtectionRequest;

describe('route key', () => {
  it('is the method plus the matched pattern on both platforms; HEAD counts as GET', () => {
    const cases: Array<[ProtectionRequest, string]> = [
      [express('GET', '/Users/%31/', '/users/:id', { id: '1' }), 'GET /users/:id'],
      [fastify('HEAD', '/users/1', '/users/:id', { id: '1' }), 'GET /users/:id'],
      [fastify('POST', 'http://h/users/1?x', '/users/:id'), 'POST /users/:id'],
    ];
    for (const [req, key] of cases) assert.equal(routeKey(req), key, req.url);
    assert.equal(routePath(fastify('POST', 'http://h/users/1?x', '/users/:id')), '/users/:id');
  });
  it('adds the decoded parameter values where one resource is meant', () => {
    const one = resourcePath(fastify('GET', '/users/%31', '/users/:id', { id: '1' }));
    assert.equal(one, '/users/:id;id=1');
    assert.notEqual(resourcePath(express('GET', '/users/2', '/users/:id', { id: '2' })), one);
    assert.equal(
      resourcePath(express('GET', '/f/a;b', '/f/:name', { name: 'a;b' })),
      '/f/:name;name=a%3Bb',
      'a value cannot forge another parameter',
    );
  });
  it('before routing, is the path as routers compare it', () => {
    const same = [
      '/test/captcha-30.json',
      '/test/%63aptcha-30.json',
      '/test/captcha-30%2Ejson',
      '/TEST/Captcha-30.json/',
      '//test//./captcha-30.json',
      '/x/../test/captcha-30.json?q=1',
      'http://example.com/test/captcha-30.json',
    ];
    for (const url of same) assert.equal(canonicalPath(url), '/test/captcha-30.json', url);
    assert.equal(canonicalPath('/a%2Fb'), '/a%2fb', 'an encoded slash is no separator');
    assert.equal(canonicalPath('/%zz'), '/%zz', 'a broken escape stays as written');
    assert.equal(canonicalPath('http://host'), '/');
    assert.ok(canonicalPath('/' + 'a'.repeat(100_000)).length <= 512, 'bounded');
    assert.equal(routeKey(express('GET', '/Test/%72eq')), 'GET /test/req');
  });
});
