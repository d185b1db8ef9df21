import assert from 'node:assert/strict';
import { after as afterAll, describe, it } from 'node:test';
import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  Post,
  Put,
  type DynamicModule,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  Debounce,
  FirstBlood,
  ProtectionModule,
  Righter,
  RighterAudit,
  RighterService,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { request } from './helpers/http';
import { PLATFORMS } from './helpers/platforms';
import { MissingPackageError, requireOptional } from '../libs/protection/src/core/optional-package';

/* What the module says at boot and per request: only about what the app uses, at the right level. */

type Level = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** The token with one character in its sealed middle changed (always a different token). */
function tamper(token: string): string {
  const i = token.length >> 1;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

class CaptureLogger implements LoggerService {
  readonly lines: Array<{ level: Level; text: string }> = [];
  private add(level: Level, message: unknown, rest: unknown[]): void {
    this.lines.push({ level, text: `${String(message)} ${rest.map(String).join(' ')}` });
  }
  log(m: unknown, ...r: unknown[]): void {
    this.add('log', m, r);
  }
  error(m: unknown, ...r: unknown[]): void {
    this.add('error', m, r);
  }
  warn(m: unknown, ...r: unknown[]): void {
    this.add('warn', m, r);
  }
  debug(m: unknown, ...r: unknown[]): void {
    this.add('debug', m, r);
  }
  verbose(m: unknown, ...r: unknown[]): void {
    this.add('verbose', m, r);
  }
  fatal(m: unknown, ...r: unknown[]): void {
    this.add('fatal', m, r);
  }
  find(pattern: RegExp): Array<{ level: Level; text: string }> {
    return this.lines.filter((l) => pattern.test(l.text));
  }
}

@Controller('orders')
class OrdersController {
  private n = 0;
  @Post()
  @Debounce({ waiting: 1000 })
  create(@Body() _dto: unknown): { id: number } {
    return { id: ++this.n };
  }
}

@Controller('users')
class UsersController {
  constructor(private readonly righter: RighterService) {}

  @Get(':id/edit')
  @Righter({ edit: true, scope: 'user-edit' })
  edit(): { id: string } {
    this.righter.allow({ id: '1' });
    return { id: '1' };
  }

  @Put(':id')
  @Righter({ scope: 'user-edit' })
  save(@RighterAudit() audit: unknown): unknown {
    return audit;
  }
}

@Controller('login')
class LoginController {
  @Get()
  @FirstBlood()
  login(): string {
    return 'ok';
  }
}

@Injectable()
class Nothing {}

function appModule(
  controllers: Array<new (...args: never[]) => unknown>,
  options?: ProtectionModuleOptions,
): DynamicModule {
  @Module({})
  class TestModule {}
  return {
    module: TestModule,
    imports: [
      options === undefined ? ProtectionModule.forRoot() : ProtectionModule.forRoot(options),
    ],
    controllers,
    providers: [Nothing],
  };
}

async function boot(
  module: DynamicModule,
  platform: 'fastify' | 'express',
): Promise<{ url: string; logs: CaptureLogger; close(): Promise<void> }> {
  const logs = new CaptureLogger();
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module, adapter, { logger: logs, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { url, logs, close: () => app.close() };
}

for (const platform of PLATFORMS) {
  describe(`boot and request logs on ${platform}`, () => {
    const closers: Array<() => Promise<void>> = [];
    afterAll(() => Promise.all(closers.map((c) => c())));

    it('forRoot() without options: every default, no Righter warning without @Righter routes, no context line', async () => {
      const app = await boot(appModule([OrdersController]), platform);
      closers.push(app.close);
      const first = await request(app.url + '/orders', { method: 'POST', json: { a: 1 } });
      assert.equal(first.status, 201);
      const ours = app.logs.lines.filter((l) =>
        /Righter|AsyncLocalStorage|switched off|Store:/.test(l.text),
      );
      assert.deepEqual(
        ours.map((l) => `${l.level} ${l.text.trim()}`),
        ['log Store: memory. Protection'],
      );
    });

    it('labels what needs the request context truly, and warns about the Righter secret only with @Righter routes', async () => {
      const app = await boot(appModule([UsersController]), platform);
      closers.push(app.close);
      const context = app.logs.find(/AsyncLocalStorage: on/);
      assert.equal(context.length, 1);
      assert.match(context[0]!.text, /UsersController \(injects RighterService\)/);
      assert.match(context[0]!.text, /@Righter\(\{ edit: true \}\) on UsersController\.edit/);
      assert.doesNotMatch(context[0]!.text, /@Righter\(false\)/);
      assert.equal(app.logs.find(/Righter: no secret/).length, 1);
    });

    it('a 409 from @Righter says why in a verbose line, never in the response', async () => {
      const app = await boot(appModule([UsersController]), platform);
      closers.push(app.close);
      const edit = await request(app.url + '/users/1/edit');
      assert.equal(edit.status, 200);
      const token = edit.headers.get('right-editor');
      assert.ok(token);
      const ok = await request(app.url + '/users/1', {
        method: 'PUT',
        headers: { 'right-editor': token },
      });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json(), { id: '1' });

      const other = await request(app.url + '/users/1', {
        method: 'PUT',
        headers: { 'right-editor': token, 'user-agent': 'another client' },
      });
      assert.equal(other.status, 409);
      assert.deepEqual(other.json(), {
        statusCode: 409,
        code: 'FORGERY',
        message: 'forgery of editor',
      });
      const tampered = await request(app.url + '/users/1', {
        method: 'PUT',
        headers: { 'right-editor': tamper(token) },
      });
      assert.equal(tampered.status, 409);
      const missing = await request(app.url + '/users/1', { method: 'PUT' });
      assert.equal(missing.status, 409);
      const reasons = app.logs.find(/409 FORGERY/);
      assert.deepEqual(
        reasons.map((l) => l.level),
        ['verbose', 'verbose', 'verbose'],
      );
      assert.match(reasons[0]!.text, /PUT \/users\/1: issued to another client/);
      assert.match(reasons[1]!.text, /tampered/);
      assert.match(reasons[2]!.text, /no token/);
    });

    it('debounced requests are logged per request at verbose, not debug', async () => {
      const app = await boot(appModule([OrdersController]), platform);
      closers.push(app.close);
      const body = { same: platform };
      const a = await request(app.url + '/orders', { method: 'POST', json: body });
      const b = await request(app.url + '/orders', { method: 'POST', json: body });
      assert.deepEqual([a.status, b.status], [201, 208]);
      const lines = app.logs.find(/Debounced duplicate request/);
      assert.deepEqual(
        lines.map((l) => l.level),
        ['verbose'],
      );
      assert.equal(app.logs.lines.filter((l) => l.level === 'debug').length, 0);
    });

    it('a switched-off protection is mentioned only when the app uses its decorator', async () => {
      const used = await boot(appModule([OrdersController], { debounce: false }), platform);
      closers.push(used.close);
      assert.equal(used.logs.find(/Debounce is switched off/).length, 1);
      const unused = await boot(
        appModule([LoginController], {
          debounce: false,
          firstBlood: { render: (code) => ({ contentType: 'text/plain', body: code }) },
        }),
        platform,
      );
      closers.push(unused.close);
      assert.equal(unused.logs.find(/switched off/).length, 0);
    });
  });
}

describe('optional packages', () => {
  it('a missing optional package is a boot error naming the package, what needs it and the install command', () => {
    assert.throws(
      () =>
        requireOptional('nest-protection-no-such-package', 'store.redis', () =>
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          require('nest-protection-no-such-package'),
        ),
      (err: unknown) =>
        err instanceof MissingPackageError &&
        err.message ===
          'ProtectionModule: store.redis needs the package "nest-protection-no-such-package", which is not installed. Run: npm install nest-protection-no-such-package.',
    );
  });

  it('any other load error is passed on as it is', () => {
    const boom = new Error('boom');
    assert.throws(
      () =>
        requireOptional('ioredis', 'store.redis', () => {
          throw boom;
        }),
      (err: unknown) => err === boom,
    );
  });
});
