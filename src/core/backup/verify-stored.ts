/**
 * @module backup/verify-stored
 * Proves a stored object is what was written: read it back, count and hash every byte, and compare
 * with the size and sha256 taken while writing and with the sha256 in its metadata. A multipart
 * ETag is not a checksum, so nothing short of reading the bytes counts. An object that fails is
 * deleted, so no unverified object sits under a final name.
 */
import { pipeline } from 'node:stream/promises';
import { CoreError, ErrorCode } from '../errors.js';
import type { BackupStore, ObjectDigest } from '../store/backup-store.js';
import { discard } from '../streams/discard.js';
import { HashingStream } from '../streams/hashing-stream.js';

/** The size and sha256 an object must have: what was written, or what its read-back found. */
export type Expected = ObjectDigest;

/** Reads `key` back and returns its size and sha256. */
export async function hashStoredObject(store: BackupStore, key: string): Promise<Expected> {
  if (store.digest) return store.digest(key);
  const hasher = new HashingStream();
  await pipeline(await store.get(key), hasher, discard());
  return { size: hasher.bytes, sha256: hasher.digest() };
}

export async function verifyStoredObject(store: BackupStore, key: string, expected: Expected): Promise<void> {
  let problem: string | undefined;
  try {
    problem = await findProblem(store, key, expected);
  } catch (error) {
    // Could not read it back (connection reset, disk error): unverified is not good enough.
    const deleted = await store.delete(key).then(() => true, () => false);
    throw new CoreError(ErrorCode.VerifyFailed, `The stored backup ${key} could not be read back to verify it; ${deleted ? 'it was deleted' : `delete it by hand: it is unverified`}.`, { cause: error });
  }
  if (!problem) return;
  const deleted = await store.delete(key).then(() => true, () => false);
  throw new CoreError(ErrorCode.VerifyFailed, `The stored backup ${key} did not match what was written (${problem}); ${deleted ? 'it was deleted' : 'delete it by hand: it could not be deleted'}.`);
}

async function findProblem(store: BackupStore, key: string, expected: Expected): Promise<string | undefined> {
  const stat = await store.stat(key);
  if (!stat) return 'the object is missing after upload';
  if (stat.size !== expected.size) return `size ${stat.size} bytes, expected ${expected.size}`;
  if (stat.metadata['sha256'] !== expected.sha256) return 'the sha256 in its metadata differs';
  const actual = await hashStoredObject(store, key);
  if (actual.size !== expected.size) return `read back ${actual.size} bytes, expected ${expected.size}`;
  if (actual.sha256 !== expected.sha256) return `sha256 ${actual.sha256.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…`;
  return undefined;
}
