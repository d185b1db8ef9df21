import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { npmInstall, repoRoot, run, type RunResult } from './run';

/*
 * Compiles the TypeScript examples of a markdown file against the packed package, the way a
 * reader would paste them into an app that has every optional peer installed.
 */

/** One tsc diagnostic, placed in the markdown file when it comes from a snippet. */
export interface SnippetDiagnostic {
  /** The markdown file for a snippet's diagnostic; else the file tsc named (e.g. the prelude). */
  file: string;
  /** 1-based line and column in `file` (0 when tsc named no position). */
  line: number;
  column: number;
  /** `TS2304`. */
  code: string;
  /** tsc's message, continuation lines included. */
  message: string;
  /** The snippet's number (01 = the first ```ts block), when it comes from one. */
  snippet?: string;
  /** `README.md:64:20 - error TS2304: Cannot find name 'CreateOrderDto'. (snippet-01.ts)` */
  text: string;
}

export interface Snippet {
  /** 1-based line of the opening fence. */
  fence: number;
  /** Indentation removed from each line (a block inside a list item). */
  indent: number;
  code: string;
}

/** Every ```ts (or ```typescript) fenced block of a markdown text. */
export function extractTsBlocks(markdown: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(\w[\w-]*)?/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '', lang = ''] = open;
    let end = i + 1;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (end < lines.length && !close.test(lines[end] ?? '')) end++;
    if (lang === 'ts' || lang === 'typescript') {
      const body = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      blocks.push({ fence: i + 1, indent: indent.length, code: body.join('\n') });
    }
    i = end;
  }
  return blocks;
}

/**
 * The packages of the snippet project: the Nest 12 core plus every optional peer of the package,
 * and the OpenTelemetry metrics SDK and Prometheus exporter the Observability example sets up.
 */
function snippetDependencies(tarball: string): Record<string, string> {
  return {
    'nest-protection': `file:${tarball}`,
    '@nestjs/common': '^12.0.0',
    '@nestjs/core': '^12.0.0',
    '@nestjs/platform-fastify': '^12.0.0',
    '@nestjs/platform-express': '^12.0.0',
    '@nestjs/swagger': '^12.0.0',
    '@nestjs/config': '^12.0.0',
    '@fastify/static': '^10.0.0',
    ioredis: '^6.0.0',
    'svg-captcha': '^1.4.0',
    '@opentelemetry/api': '^1.3.0',
    '@opentelemetry/sdk-metrics': '^3.1.1',
    '@opentelemetry/exporter-prometheus': '^0.301.2',
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.2',
    typescript: '~6.0.0',
    '@types/node': '^20.19.0',
    // ioredis's declarations import redis-errors, whose types ioredis lists as a devDependency only.
    '@types/redis-errors': '^1.2.0',
  };
}

export interface SnippetProject {
  dir: string;
  install: RunResult;
}

const projects = new Map<string, Promise<SnippetProject>>();

/**
 * The temp project the snippets compile in (an ES module package with the tarball and every
 * optional peer installed), installed once per tarball and reused by every later call.
 */
export function prepareSnippetProject(packedTarball: string): Promise<SnippetProject> {
  const tarball = resolve(packedTarball);
  let project = projects.get(tarball);
  if (!project) {
    project = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'np-readme-'));
      const pkg = {
        name: 'readme-snippets',
        private: true,
        type: 'module',
        dependencies: snippetDependencies(tarball),
      };
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
      const install = await npmInstall(dir);
      if (install.code !== 0)
        throw new Error(
          `npm install of the snippet project failed (${install.code}):\n${install.output}`,
        );
      return { dir, install };
    })();
    project.catch(() => undefined);
    projects.set(tarball, project);
  }
  return project;
}

/** Removes the snippet projects made so far. */
export async function disposeSnippetProjects(): Promise<void> {
  const all = [...projects.values()];
  projects.clear();
  for (const p of all) {
    const project = await p.catch(() => null);
    if (project && process.env.CONSUMER_KEEP_TEMP !== '1')
      rmSync(project.dir, { recursive: true, force: true });
  }
}

const tsconfig = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    noEmit: true,
  },
  include: ['*.ts'],
};

let runs = 0;

/**
 * Extracts every ```ts block of `readmePath`, writes each as its own module `snippet-NN.ts` in a
 * temp project that has `packedTarball` and all optional peers installed (ioredis, svg-captcha,
 * @nestjs/swagger, @fastify/static, both platforms, @nestjs/config, @opentelemetry/api with the
 * metrics SDK and the Prometheus exporter) plus
 * test/consumer/readme-prelude.d.ts (ambient declarations of the placeholder names examples use),
 * compiles them with tsc (strict, skipLibCheck false, noUnusedLocals false, decorators with
 * metadata) and returns tsc's diagnostics, placed at the markdown file's lines. Empty: all compile.
 */
export async function compileReadmeSnippets(
  readmePath: string,
  packedTarball: string,
  options: { prelude?: string } = {},
): Promise<SnippetDiagnostic[]> {
  const snippets = extractTsBlocks(readFileSync(readmePath, 'utf8'));
  const { dir } = await prepareSnippetProject(packedTarball);
  const work = join(dir, `run-${++runs}`);
  mkdirSync(work);
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const prelude = options.prelude ?? join(repoRoot(), 'test/consumer/readme-prelude.d.ts');
  if (existsSync(prelude)) copyFileSync(prelude, join(work, 'readme-prelude.d.ts'));
  const byFile = new Map<string, Snippet>();
  snippets.forEach((s, i) => {
    const name = `snippet-${String(i + 1).padStart(2, '0')}.ts`;
    byFile.set(name, s);
    // Every snippet is its own module, so two examples may declare the same name.
    writeFileSync(join(work, name), `${s.code}\nexport {};\n`);
  });
  if (snippets.length === 0) return [];
  const result = await run(
    process.execPath,
    [join(dir, 'node_modules/typescript/bin/tsc'), '-p', work, '--pretty', 'false'],
    work,
  );
  // tsc names files relative to `work`: a snippet as `snippet-NN.ts`, the prelude likewise.
  const diagnostics = parseDiagnostics(result.output, (file, line, column) => {
    const s = byFile.get(file);
    if (s)
      return {
        file: readmePath,
        line: s.fence + line,
        column: column + s.indent,
        snippet: file.slice(8, -3),
      };
    return { file: file === 'readme-prelude.d.ts' ? prelude : file, line, column };
  });
  if (result.code !== 0 && diagnostics.length === 0)
    throw new Error(`tsc failed without diagnostics (${result.code}):\n${result.output}`);
  return diagnostics;
}

type Place = { file: string; line: number; column: number; snippet?: string };

function parseDiagnostics(
  output: string,
  place: (file: string, line: number, column: number) => Place,
): SnippetDiagnostic[] {
  const out: SnippetDiagnostic[] = [];
  const render = (d: Omit<SnippetDiagnostic, 'text'>): SnippetDiagnostic => ({
    ...d,
    text: `${d.file}${d.line ? `:${d.line}:${d.column}` : ''} - error ${d.code}: ${d.message}${d.snippet ? ` (snippet-${d.snippet}.ts)` : ''}`,
  });
  for (const line of output.split('\n')) {
    const at = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    const bare = /^error (TS\d+): (.*)$/.exec(line);
    if (at) {
      const [, file = '', l = '0', c = '0', code = '', message = ''] = at;
      out.push(render({ ...place(file, Number(l), Number(c)), code, message }));
    } else if (bare) {
      out.push(
        render({
          file: 'tsconfig',
          line: 0,
          column: 0,
          code: bare[1] ?? '',
          message: bare[2] ?? '',
        }),
      );
    } else if (/^\s+\S/.test(line) && out.length > 0) {
      const { text: _text, ...last } = out.pop() as SnippetDiagnostic;
      out.push(render({ ...last, message: `${last.message}\n${line}` }));
    }
  }
  return out;
}
