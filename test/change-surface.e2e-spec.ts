import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after as afterAll, before, describe, it } from 'node:test';
import { GREETING_APP, GREETING_EDITS, GREETING_FOLDER } from './change-surface/greeting';
import { request } from './helpers/http';

/*
 * What adding a protection costs: a copy of the library gets a new protection (its folder, one
 * registry entry and option line, one export), builds, and the protection works end to end:
 * options validated with the shared messages, its rejection rendered, its route documented.
 */

const root = join(__dirname, '..', '..');
const src = join(root, 'libs', 'protection', 'src');

type App = { url: string; close(): Promise<void> };
type Start = (options: Record<string, unknown>) => Promise<App>;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('adding a protection touches its folder, the registry and index.ts', () => {
  const work = join(root, '.test-tmp', `change-surface-${process.pid}`);
  let start: Start;
  const apps: App[] = [];

  before(() => {
    rmSync(work, { recursive: true, force: true });
    cpSync(src, join(work, 'src'), { recursive: true, filter: (p) => !p.endsWith('.spec.ts') });
    mkdirSync(join(work, 'src', 'greeting'));
    for (const [name, text] of Object.entries(GREETING_FOLDER))
      writeFileSync(join(work, 'src', 'greeting', name), text.trimStart());
    for (const [file, anchor, line] of GREETING_EDITS) {
      const path = join(work, 'src', file);
      const text = readFileSync(path, 'utf8');
      assert.match(text, anchor, `${file} still has the line the new protection hooks onto`);
      writeFileSync(
        path,
        text.replace(anchor, (m) => `${m}\n${line}`),
      );
    }
    writeFileSync(join(work, 'app.ts'), GREETING_APP.trimStart());
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.base.json'),
        compilerOptions: { outDir: 'dist', rootDir: '.', sourceMap: false },
        include: ['src', 'app.ts'],
      }),
    );
    try {
      execFileSync(
        process.execPath,
        [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work],
        { encoding: 'utf8' },
      );
    } catch (err) {
      assert.fail(
        `the library with the new protection does not compile:\n${(err as { stdout?: string }).stdout ?? String(err)}`,
      );
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    start = (require(join(work, 'dist', 'app.js')) as { start: Start }).start;
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    rmSync(work, { recursive: true, force: true });
  });

  it('the files that differ from the library are the new folder, protection.features.ts and index.ts', () => {
    const original = new Set(files(src).filter((f) => !f.endsWith('.spec.ts')));
    const copy = files(join(work, 'src'));
    const added = copy.filter((f) => !original.has(f));
    const changed = copy.filter(
      (f) =>
        original.has(f) &&
        readFileSync(join(src, f), 'utf8') !== readFileSync(join(work, 'src', f), 'utf8'),
    );
    assert.ok(
      added.every((f) => f.startsWith('greeting/')),
      `added outside the folder: ${added.join(', ')}`,
    );
    assert.deepEqual(changed, ['index.ts', 'protection.features.ts']);
  });

  it('works end to end: 428 without the word, 200 with it; the module option switches it and is validated', async () => {
    const app = await start({});
    apps.push(app);
    const refused = await request(`${app.url}/greeted`);
    assert.equal(refused.status, 428);
    assert.deepEqual(refused.json(), {
      statusCode: 428,
      code: 'GREETING_REQUIRED',
      message: 'Say the word first',
    });
    assert.equal(
      (await request(`${app.url}/greeted`, { headers: { 'x-greeting': 'hello' } })).status,
      200,
    );

    const custom = await start({ greeting: { word: 'bonjour' } });
    apps.push(custom);
    assert.equal(
      (await request(`${custom.url}/greeted`, { headers: { 'x-greeting': 'bonjour' } })).status,
      200,
    );
    const off = await start({ greeting: false });
    apps.push(off);
    assert.equal((await request(`${off.url}/greeted`)).status, 200);

    await assert.rejects(
      start({ greeting: { word: 5 } }),
      /ProtectionModule: option "greeting\.word" is 5; expected a name/,
    );
    await assert.rejects(
      start({ greeting: { wrod: 'x' } }),
      /unknown option "greeting\.wrod"; known options here: word/,
    );
  });
});
