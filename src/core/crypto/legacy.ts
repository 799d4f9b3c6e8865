/**
 * @module crypto/legacy
 * Reads backups written by the widely copied Node backup script that predates vcbk1:
 *
 *   IV (16 random bytes) | GCM tag (16) | ciphertext          AES-256-GCM, no header, no key id
 *
 * (`createCipheriv('aes-256-gcm', key, iv)` with a 16-byte IV, no AAD, tag written up front.)
 *
 * One tag covers the whole file, so plaintext coming out of the stream is NOT trustworthy until
 * the stream has ended without error: callers must write it to a temporary file and use it only
 * after success. `decryptLegacyFile` does exactly that. With no key id in the file, the right key
 * is found by trying each key in the keyring.
 */
import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { CoreError, ErrorCode } from '../errors.js';
import { ByteQueue } from '../streams/byte-queue.js';
import type { BackupKey, Keyring } from './keyring.js';

export const LEGACY_IV_BYTES = 16;
export const LEGACY_TAG_BYTES = 16;
const PREFIX_BYTES = LEGACY_IV_BYTES + LEGACY_TAG_BYTES;

/** A decipher for one key, ready for the ciphertext that follows the 32-byte prefix. */
function openDecipher(key: Buffer, prefix: Buffer): DecipherGCM {
  const decipher = createDecipheriv('aes-256-gcm', key, prefix.subarray(0, LEGACY_IV_BYTES), { authTagLength: LEGACY_TAG_BYTES });
  decipher.setAuthTag(prefix.subarray(LEGACY_IV_BYTES, PREFIX_BYTES));
  return decipher;
}

function failed(reason: string): CoreError {
  return new CoreError(ErrorCode.DecryptFailed, `Legacy backup cannot be decrypted: ${reason}.`);
}

/** The one failure that means "try another key"; a class so callers need not match messages. */
class TagMismatch extends CoreError {
  constructor() {
    super(ErrorCode.DecryptFailed, 'Legacy backup cannot be decrypted: the tag does not match (wrong key, or the file is truncated or damaged).');
  }
}

/**
 * Streams the plaintext of a legacy backup and fails at the end if the tag does not match.
 * Plaintext is unauthenticated until then: write it to a temporary file, never straight to Vault.
 */
export class LegacyDecryptStream extends Transform {
  private readonly key: Buffer;
  private readonly head = new ByteQueue();
  private decipher: DecipherGCM | undefined;

  constructor(key: Buffer) {
    super();
    this.key = key;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.decipher === undefined) {
      this.head.push(chunk);
      if (this.head.length < PREFIX_BYTES) return callback();
      this.decipher = openDecipher(this.key, this.head.take(PREFIX_BYTES));
      chunk = this.head.take(this.head.length);
    }
    callback(null, this.decipher.update(chunk));
  }

  override _flush(callback: TransformCallback): void {
    if (this.decipher === undefined) {
      return callback(failed(`the file is ${this.head.length} bytes, shorter than its ${PREFIX_BYTES}-byte IV and tag`));
    }
    try {
      this.decipher.final();
    } catch {
      return callback(new TagMismatch());
    }
    callback();
  }
}

export function createLegacyDecryptStream(key: Buffer): LegacyDecryptStream {
  return new LegacyDecryptStream(key);
}

/**
 * Decrypts the legacy backup at `path` into `outPath` with whichever keyring key authenticates it.
 * Writes `<outPath>.partial` and renames it only after the tag checked out; on failure no output
 * file remains. With several keys, one read authenticates all of them at once and a second
 * decrypts with the winner, instead of one full decryption per wrong key.
 *
 * @example
 *   const { keyId } = await decryptLegacyFile('/tmp/x.enc', keyring, '/tmp/x.snap');
 */
export async function decryptLegacyFile(path: string, keyring: Keyring, outPath: string): Promise<{ keyId: string }> {
  const keys = keyring.all();
  const key = keys.length === 1 ? keys[0] : await findLegacyKey(path, keys);
  const noKey = () => failed('none of the keys in BACKUP_KEYS decrypts this legacy backup (or it is truncated or damaged)');
  if (key === undefined) throw noKey();

  const partial = `${outPath}.partial`;
  try {
    await pipeline(createReadStream(path), createLegacyDecryptStream(key.key), createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, outPath);
    return { keyId: key.id };
  } catch (error) {
    await rm(partial, { force: true });
    // With a single key nothing was tried beforehand, so a bad tag means that key is not it.
    if (keys.length === 1 && error instanceof TagMismatch) throw noKey();
    throw error;
  }
}

/** One pass over the file feeding every key's decipher; returns the key whose tag matches. */
async function findLegacyKey(path: string, keys: readonly BackupKey[]): Promise<BackupKey | undefined> {
  return findLegacyKeyIn(createReadStream(path) as AsyncIterable<Buffer>, keys);
}

/**
 * One pass over a legacy backup's bytes (a file, a store object) feeding every key's decipher;
 * returns the key whose tag matches, or undefined when none does. Keeps no plaintext.
 */
export async function findLegacyKeyIn(source: AsyncIterable<Buffer>, keys: readonly BackupKey[]): Promise<BackupKey | undefined> {
  const head = new ByteQueue();
  let candidates: Array<{ key: BackupKey; decipher: DecipherGCM }> | undefined;
  for await (const chunk of source) {
    let ciphertext = chunk;
    if (candidates === undefined) {
      head.push(chunk);
      if (head.length < PREFIX_BYTES) continue;
      const prefix = head.take(PREFIX_BYTES);
      candidates = keys.map((key) => ({ key, decipher: openDecipher(key.key, prefix) }));
      ciphertext = head.take(head.length);
    }
    for (const { decipher } of candidates) decipher.update(ciphertext);
  }
  if (candidates === undefined) throw failed(`the file is ${head.length} bytes, shorter than its ${PREFIX_BYTES}-byte IV and tag`);
  return candidates.find(({ decipher }) => {
    try {
      decipher.final();
      return true;
    } catch {
      return false;
    }
  })?.key;
}

/** Writes the legacy format, as the old script did. For test fixtures and migration tests only. */
export function encryptLegacy(plaintext: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(LEGACY_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: LEGACY_TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}
