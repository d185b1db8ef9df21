import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run';

/* The library as npm publishes it: `npm pack` of libs/protection (after the build). */

export interface PackedLibrary {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the package, without tar's `package/` prefix, sorted. */
  files: string[];
  /** The tarball extracted, to read what it ships. */
  extracted: string;
  ms: number;
}

/** Runs `npm pack` in `libDir` into `outDir` and extracts the result into `outDir/extracted`. */
export async function packLibrary(libDir: string, outDir: string): Promise<PackedLibrary> {
  const started = performance.now();
  const packed = await run('npm', ['pack', '--json', '--pack-destination', outDir], libDir);
  if (packed.code !== 0) throw new Error(`npm pack failed (${packed.code}):\n${packed.output}`);
  // Lifecycle scripts, if any, print before the JSON on stdout.
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n'))) as Array<{
    filename: string;
  }>;
  if (!info) throw new Error(`npm pack printed no result:\n${packed.output}`);
  const tarball = join(outDir, info.filename);
  const listed = await run('tar', ['tzf', tarball], outDir);
  if (listed.code !== 0) throw new Error(`tar tzf failed:\n${listed.output}`);
  const files = listed.output
    .split('\n')
    .filter((l) => l !== '' && !l.endsWith('/'))
    .map((l) => l.replace(/^package\//, ''))
    .sort();
  const extracted = join(outDir, 'extracted');
  mkdirSync(extracted);
  const x = await run('tar', ['xzf', tarball, '-C', extracted], outDir);
  if (x.code !== 0) throw new Error(`tar xzf failed:\n${x.output}`);
  return { tarball, files, extracted: join(extracted, 'package'), ms: performance.now() - started };
}
