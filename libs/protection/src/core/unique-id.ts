import { randomUUID } from 'node:crypto';

// Random bits per process, then a counter: unique across processes and instances, and far
// cheaper per call than a random UUID (request ids, leader tokens and sliding-log members are
// made on hot paths). Unique, not unpredictable: never use one as a secret.
//
// Ids are made 1,000 at a time, as one flat string that each id is a slice of: a slice is
// flat, so writing an id into a response header or matching it against a pattern needs no
// copy first, and no id converts a number to a string. When the 10-digit counter runs out
// (9 billion ids) the random part is drawn again.
const FIRST_BATCH = 1_000_000;
const LAST_BATCH = 9_999_999;
const PER_BATCH = 1000;
const LENGTH = 36;
const SUFFIXES: readonly string[] = Array.from({ length: PER_BATCH }, (_, i) => String(i).padStart(3, '0'));

let prefix = randomUUID().slice(0, 26);
let batch = FIRST_BATCH - 1;
let ids = '';
let next = PER_BATCH;

function nextBatch(): void {
  if (++batch > LAST_BATCH) {
    prefix = randomUUID().slice(0, 26);
    batch = FIRST_BATCH;
  }
  const head = prefix + batch;
  ids = SUFFIXES.map((suffix) => head + suffix).join('');
  next = 0;
}

/** A new id in UUID syntax: `xxxxxxxx-xxxx-4xxx-yxxx-xx` random per process + a 10-digit counter. */
export function uniqueId(): string {
  if (next === PER_BATCH) nextBatch();
  const at = next++ * LENGTH;
  return ids.slice(at, at + LENGTH);
}
