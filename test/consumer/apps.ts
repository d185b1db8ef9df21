import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmInstall, run, type RunResult } from './run';

/* The throwaway consumer apps of test/consumer/apps/<name>, installed and built in temp folders. */

export interface ConsumerApp {
  name: 'cjs-nest12-fastify' | 'esm-nest12-express' | 'cjs-nest11-fastify';
  nest: 11 | 12;
  platform: 'fastify' | 'express';
  /** Installs svg-captcha (the README's CAPTCHA image line). */
  svgCaptcha: boolean;
}

export const CONSUMER_APPS: readonly ConsumerApp[] = [
  { name: 'cjs-nest12-fastify', nest: 12, platform: 'fastify', svgCaptcha: true },
  { name: 'esm-nest12-express', nest: 12, platform: 'express', svgCaptcha: false },
  { name: 'cjs-nest11-fastify', nest: 11, platform: 'fastify', svgCaptcha: false },
];

/**
 * What the README's install lines add to an app that already has Nest: the package (the packed
 * tarball instead of its name), the Swagger line at the app's Nest major (plus @fastify/static on
 * Fastify), and svg-captcha where the app wants CAPTCHA images. Nothing else: no ioredis.
 */
export function readmeInstall(app: ConsumerApp, tarball: string): string[] {
  return [
    tarball, // npm install nest-protection
    `@nestjs/swagger@${app.nest}`, // npm install @nestjs/swagger (+ @fastify/static on Fastify)
    ...(app.platform === 'fastify' ? ['@fastify/static'] : []),
    ...(app.svgCaptcha ? ['svg-captcha'] : []), // npm install svg-captcha
  ];
}

/**
 * Copies an app into `dir`: the sources every app shares (test/consumer/apps/shared: controller,
 * service, the Fastify main.ts), then the app's own (test/consumer/apps/<name>), which win.
 */
export function copyApp(source: string, dir: string): void {
  const keep = (p: string): boolean => !/[\\/](node_modules|dist)$/.test(p);
  cpSync(join(source, '..', 'shared'), dir, { recursive: true, filter: keep });
  cpSync(source, dir, { recursive: true, filter: keep });
}

export async function installApp(
  app: ConsumerApp,
  dir: string,
  tarball: string,
): Promise<RunResult> {
  const result = await npmInstall(dir, readmeInstall(app, tarball));
  if (result.code !== 0)
    throw new Error(`npm install in ${app.name} failed (${result.code}):\n${result.output}`);
  return result;
}

/** The app's own tsc (node_modules/typescript), or another one, on the app's tsconfig. */
export function tsc(
  dir: string,
  extraArgs: readonly string[] = [],
  tscJs = join(dir, 'node_modules/typescript/bin/tsc'),
): Promise<RunResult> {
  return run(
    process.execPath,
    [tscJs, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false', ...extraArgs],
    dir,
  );
}

export const installed = (dir: string, pkg: string): boolean =>
  existsSync(join(dir, 'node_modules', pkg, 'package.json'));

/** Every TypeScript minor whose tsc must read the package's declarations (skipLibCheck false). */
export const TYPESCRIPT_MINORS = ['5.4', '5.5', '5.6', '5.7', '5.8', '5.9', '6.0'] as const;

export const typescriptAlias = (minor: string): string => `ts${minor.replace('.', '')}`;

/** One tool folder with every minor installed side by side (`"ts54": "npm:typescript@~5.4.0"`, ...). */
export async function installTypeScripts(dir: string): Promise<RunResult> {
  const dependencies = Object.fromEntries(
    TYPESCRIPT_MINORS.map((m) => [typescriptAlias(m), `npm:typescript@~${m}.0`]),
  );
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'typescript-matrix', private: true, dependencies }, null, 2),
  );
  const result = await npmInstall(dir);
  if (result.code !== 0)
    throw new Error(
      `npm install of the TypeScript matrix failed (${result.code}):\n${result.output}`,
    );
  return result;
}
