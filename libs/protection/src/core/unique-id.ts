import { randomUUID } from 'node:crypto';

// Random bits per process, then a counter: unique across processes and instances, and far
// cheaper per call than a random UUID (request ids, leader tokens and sliding-log members are
// made on hot paths). Unique, not unpredictable: never use one as a secret.
// The counter is printed in two parts: a 7-digit batch number, turned into a string once per
// 1,000 ids, and a 3-digit suffix from a table, so no id converts a number to a string. When
// the batches run out (9 billion ids) the random part is drawn again.
const FIRST_BATCH = 1_000_000;
const LAST_BATCH = 9_999_999;
const PER_BATCH = 1000;
const SUFFIXES: readonly string[] = Array.from({ length: PER_BATCH }, (_, i) => String(i).padStart(3, '0'));

let prefix = randomUUID().slice(0, 26);
let batch = FIRST_BATCH;
let head = prefix + batch;
let next = 0;

/** A new id in UUID syntax: `xxxxxxxx-xxxx-4xxx-yxxx-xx` random per process + a 10-digit counter. */
export function uniqueId(): string {
  if (next === PER_BATCH) {
    next = 0;
    if (++batch > LAST_BATCH) {
      prefix = randomUUID().slice(0, 26);
      batch = FIRST_BATCH;
    }
    head = prefix + batch;
  }
  return head + SUFFIXES[next++];
}
