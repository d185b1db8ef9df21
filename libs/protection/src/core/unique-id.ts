import { createCipheriv, randomBytes } from 'node:crypto';

// 96 random bits per id, written as 16 base64url characters: unique across processes and
// instances without coordination, and revealing nothing (no counter, no process part), so a
// request id tells a client nothing about the traffic of others.
//
// Cheap on purpose: every answer carries one in X-Request-Id, and leader tokens and sliding-log
// members are made on hot paths. The bytes are an AES-128-CTR keystream under a random key (the
// construction of a CTR-DRBG, without the per-call locking of the system generator, which cost
// more than the rest of the id), drawn 768 ids at a time and encoded once into one flat string
// that each id is a slice of: a slice needs no copy to be written into a header or matched
// against a pattern.
const BYTES_PER_ID = 12;
export const UNIQUE_ID_LENGTH = 16;
const PER_BATCH = 768;
const ZEROS = Buffer.alloc(BYTES_PER_ID * PER_BATCH);
const keystream = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));

let ids = '';
let next = PER_BATCH;

function nextBatch(): void {
  ids = keystream.update(ZEROS).toString('base64url');
  next = 0;
}

/** A new id: 16 characters of `[A-Za-z0-9_-]`, 96 random bits. Unpredictable, but not a secret store. */
export function uniqueId(): string {
  if (next === PER_BATCH) nextBatch();
  const at = next++ * UNIQUE_ID_LENGTH;
  return ids.slice(at, at + UNIQUE_ID_LENGTH);
}
