import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  CONSUMER_APPS,
  copyApp,
  installApp,
  installed,
  installTypeScripts,
  tsc,
  TYPESCRIPT_MINORS,
  typescriptAlias,
  type ConsumerApp,
} from './consumer/apps';
import { packLibrary, type PackedLibrary } from './consumer/package';
import {
  compileReadmeSnippets,
  disposeSnippetProjects,
  extractTsBlocks,
  prepareSnippetProject,
} from './consumer/readme-snippets';
import {
  boot,
  killChildren,
  limiter,
  once,
  removeTemps,
  repoRoot,
  run,
  since,
  tempDir,
  type BootedApp,
  type RunResult,
} from './consumer/run';
import { startingAfter, post, request, type Reply } from './helpers/http';
import { freePort } from './helpers/redis-server';

/*
 * The library in a newcomer's app, exactly as the README says: the tarball `npm pack` makes,
 * installed with real npm next to nothing but the README's install lines, compiled with the
 * app's own tsc (strict, skipLibCheck false) and booted as `node dist/main.js`. Three apps
 * (test/consumer/apps): CommonJS on Nest 12 + Fastify, ES modules on Nest 12 + Express,
 * CommonJS on Nest 11 + Fastify; plus every TypeScript minor from 5.4 and the README's examples.
 */

/** npm against a cold cache fetches a few hundred packages; a warm one takes well under a minute. */
const NPM_TIMEOUT = 900_000;
/** Everything else: a boot and a few requests. */
const QUICK = { timeout: 60_000 };
const root = repoRoot();
const started = performance.now();
/** Heavy steps (npm installs, tsc runs) at most this many at a time: 2 cores. */
const cpu = limiter(2);
const npmJobs = limiter(3);

const packed = once(async (): Promise<PackedLibrary> => {
  const pkg = await packLibrary(join(root, 'libs/protection'), tempDir('pack'));
  console.log(`consumer: npm pack ${(pkg.ms / 1000).toFixed(1)} s, ${pkg.files.length} files`);
  return pkg;
});

interface AppState {
  dir: string;
  install(): Promise<RunResult>;
  build(): Promise<RunResult>;
}

const apps = new Map<ConsumerApp['name'], AppState>();
for (const app of CONSUMER_APPS) {
  const dir = tempDir(app.name);
  const install = once(async () => {
    const pkg = await packed();
    copyApp(join(root, 'test/consumer/apps', app.name), dir);
    const r = await npmJobs(() => installApp(app, dir, pkg.tarball));
    console.log(`consumer: npm install ${app.name} ${(r.ms / 1000).toFixed(1)} s`);
    return r;
  });
  const build = once(async () => {
    await install();
    const r = await cpu(() => tsc(dir));
    console.log(`consumer: tsc ${app.name} ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})`);
    return r;
  });
  apps.set(app.name, { dir, install, build });
}
const state = (name: ConsumerApp['name']): AppState => apps.get(name) as AppState;

const typescripts = once(async () => {
  const dir = tempDir('typescripts');
  await packed(); // after the tarball, so a broken build fails fast
  const r = await npmJobs(() => installTypeScripts(dir));
  console.log(
    `consumer: npm install typescript ${TYPESCRIPT_MINORS.join(', ')} ${(r.ms / 1000).toFixed(1)} s`,
  );
  return dir;
});

/** tsc of every TypeScript minor on cjs-nest11-fastify, queued once the three app builds are done. */
const matrix = once(async (): Promise<Array<Promise<RunResult>>> => {
  const nest11 = state('cjs-nest11-fastify');
  const [tools] = await Promise.all([
    typescripts(),
    nest11.install(),
    Promise.allSettled([...apps.values()].map((a) => a.build())),
  ]);
  const t = performance.now();
  const all = TYPESCRIPT_MINORS.map((minor) =>
    cpu(() =>
      tsc(nest11.dir, ['--noEmit'], join(tools, 'node_modules', typescriptAlias(minor), 'bin/tsc')),
    ),
  );
  all.forEach((p) => p.catch(() => undefined));
  void Promise.allSettled(all).then(() =>
    console.log(`consumer: tsc ${TYPESCRIPT_MINORS.join(', ')} ${since(t)}`),
  );
  return all;
});

/** The README whose examples must compile: the package's own, else (not written yet) the repo's. */
const README = existsSync(join(root, 'libs/protection/README.md'))
  ? join(root, 'libs/protection/README.md')
  : join(root, 'README.md');

const readmeDiagnostics = once(async () => {
  const pkg = await packed();
  let t = performance.now();
  await npmJobs(() => prepareSnippetProject(pkg.tarball));
  console.log(`consumer: npm install README snippet project ${since(t)}`);
  const diagnostics = await cpu(() => {
    t = performance.now();
    return compileReadmeSnippets(README, pkg.tarball);
  });
  const blocks = extractTsBlocks(readFileSync(README, 'utf8')).length;
  console.log(
    `consumer: tsc of the ${blocks} ts blocks of ${README.slice(root.length + 1)} ${since(t)}, ${diagnostics.length} diagnostics`,
  );
  assert.ok(blocks > 0, `no \`\`\`ts block in ${README}`);
  return diagnostics;
});

const booted: BootedApp[] = [];
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

async function start(name: ConsumerApp['name'], env: Record<string, string>): Promise<BootedApp> {
  const s = state(name);
  const build = await s.build();
  assert.ok(
    existsSync(join(s.dir, 'dist/main.js')),
    `tsc emitted no dist/main.js:\n${build.output}`,
  );
  const t = performance.now();
  const outcome = await boot(s.dir, await freePort(), env);
  if (!outcome.listening) {
    assert.fail(
      `${name} did not boot (exit ${outcome.code ?? outcome.signal}):\n${outcome.output}`,
    );
  }
  console.log(`consumer: ${name} listening after ${since(t)} (${JSON.stringify(env)})`);
  booted.push(outcome.app);
  return outcome.app;
}

interface Operation {
  responses?: Record<string, unknown>;
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

/** The routes of the apps, their method and the statuses their docs must show. */
const DOCUMENTED: Array<{ path: string; method: string; statuses: string[] }> = [
  { path: '/orders', method: 'post', statuses: ['201', '208'] },
  { path: '/payments/{id}', method: 'post', statuses: ['200', '202'] },
  { path: '/login', method: 'get', statuses: ['200', '406'] },
  { path: '/users/{id}/edit', method: 'get', statuses: ['200'] },
  { path: '/users/{id}', method: 'put', statuses: ['200', '409'] },
  { path: '/items', method: 'get', statuses: ['200'] },
  { path: '/limited', method: 'get', statuses: ['200', '429'] },
];

describe("consumer: the packed package in a newcomer's app", () => {
  before(() => {
    // Everything slow starts now and runs while earlier tests do: npm installs, then builds.
    for (const s of apps.values()) void s.build().catch(() => undefined);
    void readmeDiagnostics().catch(() => undefined);
    void matrix().catch(() => undefined);
  });

  afterAll(async () => {
    await Promise.all(booted.map((a) => a.stop()));
    killChildren();
    await disposeSnippetProjects();
    removeTemps();
    console.log(`consumer: whole suite ${since(started)}`);
  });

  describe('the tarball', () => {
    it(
      'ships package.json, README.md, LICENSE, CHANGELOG.md, dist/index.js, dist/index.d.ts and source maps',
      QUICK,
      async () => {
        const { files } = await packed();
        const missing = [
          'package.json',
          'README.md',
          'LICENSE',
          'CHANGELOG.md',
          'dist/index.js',
          'dist/index.d.ts',
        ].filter(
          (f) =>
            !files.includes(f) &&
            !(f === 'LICENSE' && files.some((g) => /^LICENSE(\.md|\.txt)?$/.test(g))),
        );
        assert.deepEqual(missing, [], `missing from the tarball; it has:\n${files.join('\n')}`);
        assert.ok(
          files.some((f) => f.endsWith('.js.map')),
          'no *.js.map in the tarball',
        );
      },
    );

    it('ships no TypeScript sources, specs, build info or declaration maps', QUICK, async () => {
      const { files } = await packed();
      const unwanted = files.filter(
        (f) =>
          (/\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f)) ||
          /\.spec\./.test(f) ||
          /\.tsbuildinfo$/.test(f) ||
          /\.d\.[cm]?ts\.map$/.test(f),
      );
      assert.deepEqual(
        unwanted.slice(0, 20),
        [],
        `${unwanted.length} files that must not ship (first 20 shown)`,
      );
    });

    it(
      'every source map it ships carries its sources inline (src/ is not shipped)',
      QUICK,
      async () => {
        const pkg = await packed();
        const maps = pkg.files.filter((f) => f.endsWith('.map'));
        const bad: string[] = [];
        for (const f of maps) {
          const map = JSON.parse(readFileSync(join(pkg.extracted, f), 'utf8')) as {
            sources: string[];
            sourcesContent?: Array<string | null>;
          };
          const ok = map.sources.every(
            (_, i) => typeof map.sourcesContent?.[i] === 'string' && map.sourcesContent[i] !== '',
          );
          if (!ok) bad.push(`${f} (sources ${JSON.stringify(map.sources)})`);
        }
        assert.deepEqual(
          bad.slice(0, 5),
          [],
          `${bad.length} of ${maps.length} source maps lack sourcesContent (first 5 shown)`,
        );
      },
    );
  });

  for (const app of CONSUMER_APPS) {
    describe(`app ${app.name} (Nest ${app.nest}, ${app.platform}, ${app.name.startsWith('esm') ? 'ES modules' : 'CommonJS'})`, () => {
      const s = state(app.name);
      const running = once(() => start(app.name, { CAPTCHA_PLAINTEXT: '1' }));
      const url = async (path: string): Promise<string> => (await running()).url + path;
      afterAll(() => Promise.all(booted.map((a) => a.stop())));

      it(
        `installs the tarball with only the README's install lines; ioredis is not installed${app.svgCaptcha ? '' : ', nor svg-captcha'}`,
        { timeout: NPM_TIMEOUT },
        async () => {
          await s.install();
          assert.ok(installed(s.dir, 'nest-protection'), 'nest-protection installed');
          assert.ok(installed(s.dir, '@nestjs/swagger'), '@nestjs/swagger installed');
          assert.equal(
            existsSync(join(s.dir, 'node_modules/ioredis')),
            false,
            'ioredis is an optional peer: the memory store must not pull it in',
          );
          assert.equal(
            installed(s.dir, 'svg-captcha'),
            app.svgCaptcha,
            'svg-captcha only where the app installs it',
          );
          const nest = JSON.parse(
            readFileSync(join(s.dir, 'node_modules/@nestjs/core/package.json'), 'utf8'),
          ) as { version: string };
          assert.equal(nest.version.split('.')[0], String(app.nest));
        },
      );

      if (app.name === 'cjs-nest12-fastify') {
        it('finds ApiDoubleKill at the package root', QUICK, async () => {
          await s.install();
          const r = await run(
            process.execPath,
            ['-p', "typeof require('nest-protection').ApiDoubleKill"],
            s.dir,
          );
          assert.equal(r.output.trim(), 'function', r.output);
        });
      }

      it(
        'compiles with its own tsc: strict, skipLibCheck false, emitting dist/',
        { timeout: NPM_TIMEOUT },
        async () => {
          const r = await s.build();
          assert.equal(r.code, 0, `tsc -p tsconfig.json failed:\n${r.output}`);
        },
      );

      it('boots with node dist/main.js', QUICK, async () => {
        await running();
      });

      it(
        "@Debounce reuse: a concurrent identical POST gets the first one's body and X-Debounce: reused",
        QUICK,
        async () => {
          const target = await url('/orders');
          const [first, second] = await Promise.all([
            post(target, { json: { sku: 'A-1' } }),
            startingAfter(50, () => post(target, { json: { sku: 'A-1' } })),
          ]);
          assert.equal(first.status, 201, first.text);
          assert.equal(second.status, 201, second.text);
          assert.deepEqual(second.json(), first.json());
          assert.equal(typeof first.json<{ id: unknown }>().id, 'number');
          assert.equal(first.headers.get('x-debounce'), null);
          assert.equal(second.headers.get('x-debounce'), 'reused');
        },
      );

      it(
        '@DoubleKill on a service method: of two concurrent calls one runs, the other gets 202 DOUBLE_KILLED',
        QUICK,
        async () => {
          const target = await url('/payments/p-7');
          const replies = await Promise.all([post(target), post(target)]);
          const statuses = replies.map((r) => r.status).sort();
          assert.deepEqual(
            statuses,
            [200, 202],
            replies.map((r) => `${r.status} ${r.text}`).join('\n'),
          );
          const killed = replies.find((r) => r.status === 202) as Reply;
          assert.equal(killed.json().code, 'DOUBLE_KILLED');
          assert.deepEqual(replies.find((r) => r.status === 200)?.json(), {
            id: 'p-7',
            paid: true,
          });
        },
      );

      it(
        '@FirstBlood: 406 CAPTCHA_REQUIRED with a ticket, an image for the ticket, then the code passes',
        QUICK,
        async () => {
          const target = await url('/login');
          const challenge = await request(target);
          assert.equal(challenge.status, 406, challenge.text);
          assert.equal(challenge.json().code, 'CAPTCHA_REQUIRED');
          const ticket = challenge.headers.get('client-ticket');
          assert.ok(ticket, 'Client-Ticket header');
          const image = await request(`${target}?quest-captcha-image=1`, {
            headers: { 'client-ticket': ticket },
          });
          assert.equal(image.status, 200, image.text);
          assert.match(image.headers.get('content-type') ?? '', /^text\/plain/);
          const code = image.text.trim();
          assert.match(code, /^\S{4}$/, 'the plaintext rendering is the code');
          const pass = await request(`${target}?check-captcha-image=${encodeURIComponent(code)}`, {
            headers: { 'client-ticket': ticket },
          });
          assert.equal(pass.status, 200, pass.text);
          assert.deepEqual(pass.json(), { welcome: true });
        },
      );

      it(
        '@Righter: the edit view issues Right-Editor; the commit echoes the sealed data; a tampered token gets 409 FORGERY',
        QUICK,
        async () => {
          const edit = await request(await url('/users/42/edit'));
          assert.equal(edit.status, 200, edit.text);
          const token = edit.headers.get('right-editor');
          assert.ok(token, 'Right-Editor header');
          const commit = await request(await url('/users/42'), {
            method: 'PUT',
            headers: { 'right-editor': token },
          });
          assert.equal(commit.status, 200, commit.text);
          assert.deepEqual(commit.json(), { id: '42' });
          const i = Math.floor(token.length / 2);
          const tampered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
          const forged = await request(await url('/users/42'), {
            method: 'PUT',
            headers: { 'right-editor': tampered },
          });
          assert.equal(forged.status, 409, forged.text);
          assert.equal(forged.json().code, 'FORGERY');
        },
      );

      it('@PageDefault with PageQuery / PageResult: ?page=2 of 12 items by 5', QUICK, async () => {
        const r = await request(await url('/items?page=2'));
        assert.equal(r.status, 200, r.text);
        const body = r.json<{
          success: boolean;
          page: number;
          size: number;
          totalPage: number;
          totalData: number;
          data: Array<{ id: number }>;
        }>();
        assert.deepEqual(
          {
            success: body.success,
            page: body.page,
            size: body.size,
            totalPage: body.totalPage,
            totalData: body.totalData,
            ids: body.data.map((d) => d.id),
          },
          { success: true, page: 2, size: 5, totalPage: 3, totalData: 12, ids: [6, 7, 8, 9, 10] },
        );
      });

      it(
        '@RateLimit({ limit: 2 }): 200, 200, then 429 with Retry-After and RateLimit',
        QUICK,
        async () => {
          const target = await url('/limited');
          const replies: Reply[] = [];
          for (let i = 0; i < 3; i++) replies.push(await request(target));
          assert.deepEqual(
            replies.map((r) => r.status),
            [200, 200, 429],
            replies.map((r) => r.text).join('\n'),
          );
          const refused = replies[2] as Reply;
          assert.equal(refused.json().code, 'TOO_MANY_REQUESTS');
          assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
          assert.ok(refused.headers.get('ratelimit'), 'RateLimit header');
        },
      );

      it('serves /docs-json with every route', QUICK, async () => {
        const r = await request(await url('/docs-json'));
        assert.equal(r.status, 200, r.text.slice(0, 500));
        const doc = r.json<OpenApi>();
        const absent = DOCUMENTED.filter((d) => !doc.paths[d.path]?.[d.method]).map(
          (d) => `${d.method.toUpperCase()} ${d.path}`,
        );
        assert.deepEqual(absent, [], `paths in the document: ${Object.keys(doc.paths).join(', ')}`);
      });

      it(
        "documents every decorated route with its own success response and its protection's status",
        QUICK,
        async () => {
          const doc = (await request(await url('/docs-json'))).json<OpenApi>();
          const missing = DOCUMENTED.flatMap((d) => {
            const responses = Object.keys(doc.paths[d.path]?.[d.method]?.responses ?? {});
            return d.statuses
              .filter((st) => !responses.includes(st))
              .map(
                (st) =>
                  `${d.method.toUpperCase()} ${d.path}: ${st} (has ${responses.join(', ') || 'none'})`,
              );
          });
          assert.deepEqual(missing, []);
        },
      );

      if (app.name === 'cjs-nest11-fastify') {
        it(
          'prints no "Content-Type doesn\'t match Reply body" warning for the 406, 409 and 429 answers',
          QUICK,
          async () => {
            const output = (await running()).output();
            assert.doesNotMatch(output, /Content-Type doesn't match Reply body/, output);
          },
        );
      }

      it('prints no stack trace and no "Cannot find module"', QUICK, async () => {
        const output = (await running()).output();
        assert.doesNotMatch(output, STACK_FRAME, output);
        assert.doesNotMatch(output, /Cannot find module/, output);
      });

      if (app.name === 'cjs-nest12-fastify') {
        it(
          'with ProtectionModule.forRoot() (no argument) and svg-captcha installed, the CAPTCHA image is an SVG',
          QUICK,
          async () => {
            const svg = await start(app.name, {});
            const challenge = await request(svg.url + '/login');
            assert.equal(challenge.status, 406, challenge.text);
            const ticket = challenge.headers.get('client-ticket') ?? '';
            const image = await request(svg.url + '/login?quest-captcha-image=1', {
              headers: { 'client-ticket': ticket },
            });
            assert.equal(image.status, 200, image.text);
            assert.match(image.headers.get('content-type') ?? '', /^image\/svg\+xml/);
            assert.ok(image.text.startsWith('<svg'), image.text.slice(0, 100));
            await svg.stop();
            assert.doesNotMatch(svg.output(), STACK_FRAME, svg.output());
            assert.doesNotMatch(svg.output(), /Cannot find module/, svg.output());
          },
        );
      }

      if (app.name === 'cjs-nest11-fastify') {
        it(
          'a Redis store without ioredis installed stops the boot, naming ioredis and npm install ioredis',
          QUICK,
          async () => {
            await s.build();
            const outcome = await boot(s.dir, await freePort(), {
              REDIS_URL: 'redis://127.0.0.1:9',
              // A Redis store also needs the module secret; with it, ioredis is what is missing.
              PROTECTION_SECRET: 'consumer-test-secret-0123456789abcdef',
              CAPTCHA_PLAINTEXT: '1',
            });
            if (outcome.listening) {
              await outcome.app.stop();
              assert.fail(`booted without ioredis; output:\n${outcome.app.output()}`);
            }
            assert.notEqual(outcome.code, 0, outcome.output);
            assert.match(
              outcome.output,
              /store\.redis needs the package "ioredis", which is not installed\. Run: npm install ioredis/,
              outcome.output,
            );
          },
        );
      }

      if (app.name === 'esm-nest12-express') {
        it(
          'without svg-captcha and without a render option the boot fails, naming svg-captcha and npm install svg-captcha',
          QUICK,
          async () => {
            await s.build();
            const outcome = await boot(s.dir, await freePort(), {});
            if (outcome.listening) {
              await outcome.app.stop();
              assert.fail(`booted without svg-captcha; output:\n${outcome.app.output()}`);
            }
            assert.notEqual(outcome.code, 0, outcome.output);
            assert.match(outcome.output, /svg-captcha/, outcome.output);
            assert.match(outcome.output, /npm install svg-captcha/, outcome.output);
          },
        );
      }
    });
  }

  describe('the declarations under every TypeScript minor from 5.4 to 6.0 (cjs-nest11-fastify, skipLibCheck false)', () => {
    TYPESCRIPT_MINORS.forEach((minor, i) => {
      it(`TypeScript ${minor} compiles the app`, { timeout: NPM_TIMEOUT }, async () => {
        const r = await ((await matrix())[i] as Promise<RunResult>);
        assert.equal(r.code, 0, `TypeScript ${minor}:\n${r.output}`);
      });
    });
  });

  describe('the README', () => {
    it(
      `every TypeScript block of ${README === join(root, 'README.md') ? 'README.md (libs/protection/README.md does not exist yet)' : 'libs/protection/README.md'} compiles against the packed package`,
      { timeout: NPM_TIMEOUT },
      async () => {
        const diagnostics = await readmeDiagnostics();
        assert.deepEqual(
          diagnostics.map((d) => d.text.replace(root + '/', '')),
          [],
        );
      },
    );
  });
});
