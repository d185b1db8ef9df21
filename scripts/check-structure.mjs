#!/usr/bin/env node
// Structure check for the library (run by scripts/test.sh): file sizes and import cycles
// between the top-level folders of libs/protection/src. Plain Node, no dependencies.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'libs/protection/src');
const MAX_LINES = 250;
// Folders may import these root files: the feature registry and module wiring (options type, tokens).
const ROOT_ALLOWED = new Set([
  'protection.features.ts',
  'protection-options.factory.ts',
  'protection-options.base.ts',
  'protection.constants.ts',
  'protection.messages.ts',
  'protection.store.ts',
  'protection.session.ts',
]);
const SHARED = new Set(['root', 'core', 'store']);
const FEATURES = [
  'debounce',
  'double-kill',
  'first-blood',
  'righter',
  'rate-limit',
  'page',
  'terminal',
  'overload',
  'logging',
  'signed',
];

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts'))
      out.push(full);
  }
  return out;
}

/** Blanks out comments (keeping strings and line breaks) so commented-out imports don't count. */
function stripComments(text) {
  let out = '';
  for (let i = 0; i < text.length;) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && !(c !== '`' && text[j] === '\n'))
        j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const IMPORT_PATTERNS = [
  /\b(?:import|export)\s+(?:type\s+)?[^;'"`]*?\bfrom\s*['"](\.{1,2}\/[^'"]*|\.{1,2})['"]/g, // import/export ... from
  /\bimport\s*['"](\.{1,2}\/[^'"]*)['"]/g, // import './side-effect'
  /\b(?:require|import)\s*\(\s*['"](\.{1,2}\/[^'"]*|\.{1,2})['"]\s*\)/g, // require('./x'), import('./x')
];

function relativeImports(text) {
  const code = stripComments(text);
  const found = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      found.push({ spec: m[1], line: code.slice(0, m.index).split('\n').length });
    }
  }
  return found;
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(?:js|ts)$/, '');
  for (const candidate of [stem + '.ts', join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const rel = (file) => relative(SRC, file).split(sep).join('/');
const nodeOf = (file) => (rel(file).includes('/') ? rel(file).split('/')[0] : 'root');

const problems = [];
const edges = new Map(); // node -> Map(node -> example import)

for (const file of walk(SRC)) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_LINES) problems.push(`${rel(file)}: ${lines} lines (max ${MAX_LINES})`);
  const from = nodeOf(file);
  for (const { spec, line } of relativeImports(text)) {
    const target = resolveImport(file, spec);
    const where = `${rel(file)}:${line} imports '${spec}'`;
    if (!target) {
      problems.push(`${where}: cannot resolve`);
      continue;
    }
    if (!target.startsWith(SRC + sep)) continue; // package.json and the like: not a library file
    const to = nodeOf(target);
    if (to === from) continue;
    if (to === 'root' && ROOT_ALLOWED.has(rel(target))) continue;
    if ((from === 'core' || from === 'store') && !SHARED.has(to)) {
      problems.push(`${where}: ${from}/ must not import the feature folder ${to}/`);
    }
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${where} (-> ${rel(target)})`);
  }
}

// Every elementary cycle once, starting from its smallest node (the graph has a dozen nodes).
const nodes = [
  ...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]),
].sort();
const cycles = [];
for (const start of nodes) {
  const path = [start];
  const visit = (node) => {
    for (const next of [...(edges.get(node)?.keys() ?? [])].sort()) {
      if (next === start) cycles.push([...path, start]);
      else if (next > start && !path.includes(next)) {
        path.push(next);
        visit(next);
        path.pop();
      }
    }
  };
  visit(start);
}
for (const cycle of cycles) {
  const steps = cycle
    .slice(0, -1)
    .map((node, i) => `    ${node} -> ${cycle[i + 1]}: ${edges.get(node).get(cycle[i + 1])}`);
  problems.push(`import cycle ${cycle.join(' -> ')}\n${steps.join('\n')}`);
}

const known = new Set([...SHARED, ...FEATURES]);
for (const node of nodes)
  if (!known.has(node)) console.warn(`note: folder ${node}/ is not in the known folder list`);

if (problems.length) {
  console.error(`check-structure: ${problems.length} problem(s) in libs/protection/src`);
  for (const p of problems) console.error('  ' + p);
  process.exit(1);
}
console.log(
  `check-structure: ok (${walk(SRC).length} files, none over ${MAX_LINES} lines, no folder import cycles)`,
);
