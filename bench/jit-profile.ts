import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/*
 * Where the instructions of one scenario go that another's do not, by function, JavaScript
 * included. callgrind cannot name code V8 compiled at run time; V8's --perf-basic-prof writes
 * /tmp/perf-<pid>.map (start, size, name of every code object it makes), and this maps the
 * addresses callgrind reports onto those names (the newest entry wins: code space is reused).
 *
 *   BENCH_KEEP=1 BENCH_NODE_FLAGS=--perf-basic-prof BENCH_ONLY=module node dist/bench/instructions.js
 *   node dist/bench/jit-profile.js <dir>/cg.bare.<pid>.1 <dir>/cg.module.<pid>.1 [requests]
 *
 * Prints per request: the functions whose self cost grew most, then those that shrank (inlining
 * moves cost between a caller and its callees, so read the two lists together).
 */

interface MapEntry {
  start: number;
  end: number;
  name: string;
  order: number;
}

function selfCosts(dump: string): Map<string, number> {
  const report = execFileSync(
    'callgrind_annotate',
    ['--inclusive=no', '--threshold=100', '--auto=no', dump],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const pid = /\.(\d+)\.\d+$/.exec(dump)?.[1];
  const entries: MapEntry[] = [];
  try {
    readFileSync(`/tmp/perf-${pid}.map`, 'utf8')
      .split('\n')
      .forEach((line, order) => {
        const [start, size, ...name] = line.split(' ');
        if (start && size && name.length) {
          const s = parseInt(start, 16);
          entries.push({ start: s, end: s + parseInt(size, 16), name: name.join(' '), order });
        }
      });
  } catch {
    console.error(
      `no /tmp/perf-${pid}.map: JIT code stays unnamed (run with BENCH_NODE_FLAGS=--perf-basic-prof)`,
    );
  }
  entries.sort((a, b) => a.start - b.start);
  const nameOf = (address: number): string | undefined => {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((entries[mid] as MapEntry).start <= address) lo = mid + 1;
      else hi = mid;
    }
    let best: MapEntry | undefined;
    for (let i = lo - 1; i >= 0 && i >= lo - 400; i--) {
      const e = entries[i] as MapEntry;
      if (e.start <= address && address < e.end && (!best || e.order > best.order)) best = e;
    }
    return best?.name;
  };
  const costs = new Map<string, number>();
  for (const line of report.split('\n')) {
    const m = /^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*)$/.exec(line);
    if (!m) continue;
    let name = (m[2] as string).trim();
    if (
      /PROGRAM TOTALS|\(below main\)|:main |libc-start|node::Start|SpinEventLoop|NodeMainInstance|ld-linux/.test(
        name,
      )
    )
      continue;
    const jit = /^\?\?\?:0x([0-9a-f]+)/.exec(name);
    if (jit) name = nameOf(parseInt(jit[1] as string, 16)) ?? name;
    costs.set(name, (costs.get(name) ?? 0) + Number((m[1] as string).replace(/,/g, '')));
  }
  return costs;
}

function main(): void {
  const [before, after, requests = '10000'] = process.argv.slice(2);
  if (!before || !after) {
    console.error(
      'usage: node dist/bench/jit-profile.js <callgrind dump A> <callgrind dump B> [requests]',
    );
    process.exit(2);
  }
  const a = selfCosts(before);
  const b = selfCosts(after);
  const n = Number(requests);
  const diff = [...new Set([...a.keys(), ...b.keys()])]
    .map((name) => ({ name, delta: ((b.get(name) ?? 0) - (a.get(name) ?? 0)) / n }))
    .sort((x, y) => y.delta - x.delta);
  const total = diff.reduce((sum, d) => sum + d.delta, 0);
  console.log(
    `B - A: ${total.toFixed(0)} instructions/request (self cost, JIT compilation included)\n`,
  );
  for (const d of diff.slice(0, 50))
    console.log(`${d.delta.toFixed(1).padStart(9)}  ${d.name.slice(0, 140)}`);
  console.log('  ...');
  for (const d of diff.slice(-20))
    console.log(`${d.delta.toFixed(1).padStart(9)}  ${d.name.slice(0, 140)}`);
}

main();
