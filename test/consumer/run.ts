import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/* Processes for the consumer suite: npm, tsc and the consumer apps, run as a newcomer would. */

/** The repository root: the folder above this file that holds libs/protection (else the cwd). */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'libs/protection/package.json'))) return dir;
  }
  return process.cwd();
}

const temps: string[] = [];
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills (by pid) every process this suite started that still runs: npm, tsc, apps. */
export function killChildren(): void {
  for (const child of children) kill(child, 'SIGKILL');
  children.clear();
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // it ended meanwhile
  }
}

/** A new folder under os.tmpdir(); removeTemps() deletes every one of them. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `np-${prefix}-`));
  temps.push(dir);
  return dir;
}

/** Deletes the temp folders; CONSUMER_KEEP_TEMP=1 keeps them (and prints where) to look into a failure. */
export function removeTemps(): void {
  const dirs = temps.splice(0);
  if (process.env.CONSUMER_KEEP_TEMP === '1') console.log(`consumer: kept ${dirs.join(' ')}`);
  else for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/**
 * The environment for child npm/node processes: ours without what `npm test` adds about the
 * workspace we run in (package, lifecycle, local prefix), so a child npm sees only its own folder.
 * Registry, cache and TLS settings stay.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(k) || k === 'INIT_CWD')
      continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

export interface RunResult {
  /** Exit code, null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  /** stdout alone. */
  stdout: string;
  ms: number;
}

/** Runs a command to its end; never rejects for a non-zero exit (the caller asserts). */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = childEnv(),
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let output = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolvePromise({ code, signal, output, stdout, ms: performance.now() - started }),
    );
  });
}

/** `npm install` the way the suite always runs it: quiet, cache first. */
export function npmInstall(cwd: string, packages: readonly string[] = []): Promise<RunResult> {
  return run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packages], cwd);
}

/** Runs the functions given to it at most `n` at a time (CPU-heavy steps on a 2-core machine). */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < n) active++;
    else await new Promise<void>((r) => waiting.push(r)); // a finishing run hands its slot over
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Memoizes an async step; a rejection is kept too, and never reported as unhandled. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    if (!p) {
      p = fn();
      p.catch(() => undefined);
    }
    return p;
  };
}

/** Seconds since `started` (a performance.now() value), for the phase timings the suite prints. */
export const since = (started: number): string =>
  `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** A consumer app started with `node dist/main.js`. */
export interface BootedApp {
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export type BootOutcome =
  | { listening: true; app: BootedApp }
  | { listening: false; code: number | null; signal: NodeJS.Signals | null; output: string };

/**
 * Starts `node dist/main.js` in `dir` on `port` (env PORT) and waits for its "listening" line,
 * or for it to exit (a failed boot), at most `timeoutMs`.
 */
export function boot(
  dir: string,
  port: number,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<BootOutcome> {
  const child = track(
    spawn(process.execPath, [resolve(dir, 'dist/main.js')], {
      cwd: dir,
      env: childEnv({ PORT: String(port), ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    kill(child, 'SIGTERM');
    const timer = setTimeout(() => kill(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      void stop();
      reject(
        new Error(`no "listening" line within ${timeoutMs} ms from ${dir}; output:\n${output}`),
      );
    }, timeoutMs);
    const onData = (c: Buffer): void => {
      output += c.toString();
      if (!settled && /listening on /.test(output)) {
        settled = true;
        clearTimeout(timer);
        resolvePromise({
          listening: true,
          app: { url: `http://127.0.0.1:${port}`, output: () => output, stop },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      settled = true;
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolvePromise({ listening: false, code, signal, output });
    });
  });
}
