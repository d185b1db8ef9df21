import { Controller, Get } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after as afterAll, before, describe, it } from 'node:test';
import { ProtectionSession, type ProtectionModuleOptions } from 'nest-protection';
import { mintSession, post, request } from './helpers/http';
import { protectedModule, startRedisPair, type RedisPair } from './helpers/platforms';

/* The module secret: required with a shared store, never written to it, the same on every instance. */

@Controller('s')
class PlainController {
  @Get()
  get(): string {
    return 'ok';
  }
}

async function bootError(options: ProtectionModuleOptions): Promise<string> {
  try {
    const app = await NestFactory.create(
      protectedModule(options, [PlainController]),
      new FastifyAdapter(),
      { logger: false, abortOnError: false },
    );
    await app.close();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('module secret at boot', () => {
  it('a Redis store without a secret stops the boot, naming the option and how to make one', async () => {
    const message = await bootError({ store: { redis: 'redis://127.0.0.1:1' } });
    assert.match(message, /option "secret" is undefined/);
    assert.match(message, /Redis or other shared store/);
    assert.match(message, /randomBytes\(32\)/);
  });

  it('a short secret stops the boot without echoing it', async () => {
    const message = await bootError({ secret: 'too-short', store: 'memory' });
    assert.match(message, /option "secret" is "\(hidden\)"; expected a string of at least 32/);
    assert.ok(!message.includes('too-short'));
  });

  it('the memory store needs none (a per-process secret stands in)', async () => {
    assert.equal(await bootError({}), '');
  });
});

describe('module secret across two instances on one Redis', () => {
  let pair: RedisPair;
  before(async () => {
    // The demo signs with PROTECTION_SECRET, else its fixed development secret: A and B agree.
    pair = await startRedisPair();
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('a session minted on A is a session on B', async () => {
    const session = await mintSession(`${pair.a.url}/test`);
    assert.ok(pair.b.app.get(ProtectionSession).verify(session));
    assert.ok(!pair.b.app.get(ProtectionSession).verify(session.slice(0, 44) + 'x'));
  });

  it('a CAPTCHA ticket issued by A works on B', async () => {
    const first = await request(`${pair.a.url}/test/captcha.json`);
    assert.equal(first.status, 406);
    const ticket = first.headers.get('client-ticket') ?? '';
    const image = await request(`${pair.b.url}/test/captcha.json?quest-captcha-image=`, {
      headers: { 'client-ticket': ticket },
    });
    assert.equal(image.status, 200, 'B accepted the ticket and served an image');
  });

  it('a @Righter token sealed on A opens on B', async () => {
    const edit = await request(`${pair.a.url}/test/righter.json`);
    const token = edit.headers.get('right-editor') ?? '';
    const commit = await post(`${pair.b.url}/test/righter.json`, {
      headers: { 'right-editor': token },
    });
    assert.deepEqual([commit.status, commit.json()], [200, { uid: 1, perms: ['a', 'b'] }]);
  });

  it('no secret is ever written to Redis', () => {
    const keys = execFileSync(
      'redis-cli',
      ['-p', String(pair.redis.port), '--scan', '--pattern', '*secret*'],
      { encoding: 'utf8' },
    ).trim();
    assert.equal(keys, '', `keys: ${keys}`);
  });
});
