/**
 * @module rotation/reencrypt-object
 * One backup moved to the active key, never leaving it readable by neither key:
 * 1. stream old object → authenticated decrypt (any key of the ring) → encrypt (active key) into
 *    a temporary object `rotating/<key>`, hashing plaintext and ciphertext on the way;
 * 2. verify the temporary object: its sha256, and a full authenticated decrypt with the active key
 *    alone whose plaintext sha256 equals the backup's recorded `plain-sha256`;
 * 3. replace the backup with it (`put` with `replaceExisting`: atomic, and a failure never removes
 *    the old object), read the result back and compare;
 * 4. delete the temporary object. The caller updates the catalogue last.
 * Memory stays flat: every step streams. A crash anywhere leaves the original or the new object
 * under the backup's name, and the run after it starts this object again or skips it as done.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CoreError, ErrorCode } from '../errors.js';
import { createDecryptStream } from '../crypto/decrypt-stream.js';
import { createEncryptStream } from '../crypto/encrypt-stream.js';
import { keyringFromKeys, type BackupKey, type Keyring } from '../crypto/keyring.js';
import { createLegacyDecryptStream } from '../crypto/legacy.js';
import { hashStoredObject } from '../backup/verify-stored.js';
import type { BackupStore, ObjectMetadata, PutOptions } from '../store/backup-store.js';
import { discard } from '../streams/discard.js';
import { HashingStream } from '../streams/hashing-stream.js';

export const TEMP_PREFIX = 'rotating/';

export interface Reencrypted {
  size: number;
  sha256: string;
  metadata: ObjectMetadata;
}

export function tempKeyFor(key: string): string {
  return `${TEMP_PREFIX}${key}`;
}

/**
 * `legacyKey`: the object is in the legacy format (no header) and this key's tag authenticates it
 * (found beforehand by trying each key, as restore does). Its one tag is checked when step 1's
 * stream ends, before anything replaces the backup; without a recorded plain-sha256 the
 * authenticated plaintext's hash is what the new copy must decrypt to.
 */
export async function reencryptObject(store: BackupStore, keyring: Keyring, key: string, metadata: ObjectMetadata, signal?: AbortSignal, legacyKey?: BackupKey): Promise<Reencrypted> {
  const active = keyring.active;
  const temp = tempKeyFor(key);
  const recordedPlain = metadata['plain-sha256'];
  if (!recordedPlain && !legacyKey) throw new CoreError(ErrorCode.VerifyFailed, `${key} has no plain-sha256 in its metadata, so a re-encrypted copy could not be proven equal; it was left as it is.`);

  // 1. Old → new, into the temporary name.
  const plainHash = new HashingStream();
  const storedHash = new HashingStream();
  const decrypt = legacyKey ? createLegacyDecryptStream(legacyKey.key) : createDecryptStream(keyring);
  const written = await streamInto(store, temp, () => store.get(key), [decrypt, plainHash, createEncryptStream(active), storedHash], () => ({
    ...metadata,
    'format': 'vcbk1',
    'sha256': storedHash.digest(),
    'plain-sha256': recordedPlain ?? plainHash.digest(),
    'key-id': active.id,
  }), signal);
  const expectedPlain = recordedPlain ?? plainHash.digest();
  if (plainHash.digest() !== expectedPlain) {
    await store.delete(temp).catch(() => {});
    throw new CoreError(ErrorCode.VerifyFailed, `${key} decrypted to different bytes than its recorded plain-sha256; it was left as it is under its old key. Check it with \`vault-chatops backup verify ${key}\`.`);
  }
  const newMeta: ObjectMetadata = { ...metadata, 'format': 'vcbk1', 'sha256': storedHash.digest(), 'plain-sha256': expectedPlain, 'key-id': active.id };

  // 2. The temporary object, read back: bytes as written, and readable with the active key alone.
  signal?.throwIfAborted();
  await verifyWithKey(store, temp, active, { size: written, sha256: newMeta.sha256 as string }, expectedPlain, key);

  // 3. Replace, then prove the object under the backup's name is the verified one.
  signal?.throwIfAborted();
  // A replace whose failure leaves the old object where it is (the plain put would remove it).
  await streamInto(store, key, () => store.get(temp), [], () => newMeta, signal, { replaceExisting: true });
  const final = await hashStoredObject(store, key);
  if (final.sha256 !== newMeta.sha256 || final.size !== written) {
    throw new CoreError(
      ErrorCode.VerifyFailed,
      `${key} did not read back as the re-encrypted copy after replacing it; the verified copy is kept at ${temp}. Run the rotation again, which starts this backup over.`,
    );
  }
  // 4. Only now is the temporary copy redundant.
  await store.delete(temp);
  return { size: written, sha256: newMeta.sha256 as string, metadata: newMeta };
}

async function verifyWithKey(store: BackupStore, key: string, activeKey: BackupKey, expected: { size: number; sha256: string }, plainSha256: string, backup: string): Promise<void> {
  const stored = new HashingStream();
  const plain = new HashingStream();
  try {
    await pipeline(await store.get(key), stored, createDecryptStream(keyringFromKeys([activeKey])), plain, discard());
  } catch (error) {
    await store.delete(key).catch(() => {});
    throw new CoreError(ErrorCode.VerifyFailed, `The re-encrypted copy of ${backup} could not be decrypted with the active key ${activeKey.id}; the backup was left as it is.`, { cause: error });
  }
  if (stored.digest() !== expected.sha256 || stored.bytes !== expected.size || plain.digest() !== plainSha256) {
    await store.delete(key).catch(() => {});
    throw new CoreError(ErrorCode.VerifyFailed, `The re-encrypted copy of ${backup} did not verify (sha256 or content differs); the backup was left as it is.`);
  }
}

/** Streams `source` through `transforms` into `store.put(target)`; resolves with the bytes stored. */
async function streamInto(
  store: BackupStore,
  target: string,
  source: () => Promise<Readable>,
  transforms: NodeJS.ReadWriteStream[],
  metadata: () => ObjectMetadata,
  signal: AbortSignal | undefined,
  options: PutOptions = {},
): Promise<number> {
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  const input = await source();
  const flowing = pipeline([input, ...transforms, body] as unknown as [Readable, PassThrough], ...(signal ? [{ signal }] : []));
  const putting = store.put(target, body, metadata, options).catch((error: unknown) => {
    // The store gave up: stop reading the source too.
    body.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  const [, put] = await Promise.all([flowing, putting]);
  return put.size;
}
