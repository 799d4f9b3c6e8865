/**
 * @module restore/fetch-and-decrypt
 * Everything a restore does before it may touch Vault: download the object while hashing it,
 * decrypt it with authentication chunk by chunk in the same pass, validate the snapshot, and hold
 * the download to the size and sha256 frozen in the plan; the plaintext goes to a private file only
 * when it is to be uploaded. Nothing unauthenticated ever reaches
 * Vault: a tampered or truncated file fails here, and the legacy format (one tag at the front) is
 * only trusted once its whole ciphertext has been checked.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CoreError, ErrorCode } from '../errors.js';
import type { Keyring } from '../crypto/keyring.js';
import { createDecryptStream, detectFormat } from '../crypto/decrypt-stream.js';
import { MAGIC } from '../crypto/vcbk1-format.js';
import { decryptLegacyFile } from '../crypto/legacy.js';
import { discard } from '../streams/discard.js';
import { FILE_READ_BYTES, STREAM_BUFFER_BYTES } from '../streams/buffering.js';
import { HashingStream } from '../streams/hashing-stream.js';
import { createSha256 } from '../streams/threaded-sha256.js';
import type { BackupStore } from '../store/backup-store.js';
import { createSnapshotValidator } from '../backup/validate-snapshot.js';
import type { RestorePlan } from './restore-plan.js';

const WORK_FILE_PREFIX = 'restore-';
const MAGIC_BYTES = MAGIC.length;

/**
 * Removes decrypted snapshots and downloads left in `workDir` by owners that are gone (killed
 * mid-restore or mid-verify): they hold a whole Vault snapshot and must not linger. A file is
 * named after its owner's lease token; one whose lease is dead (or an older `restore-<pid>-` name)
 * goes. Returns how many went.
 */
export async function sweepWorkDir(workDir: string, isAlive: (owner: string) => boolean): Promise<number> {
  const names = await readdir(workDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(WORK_FILE_PREFIX)) continue;
    const owner = name.slice(WORK_FILE_PREFIX.length, WORK_FILE_PREFIX.length + 36);
    if (isAlive(owner)) continue;
    await rm(join(workDir, name), { force: true });
    removed += 1;
  }
  return removed;
}

export interface DecryptedSnapshot {
  /** Path of the decrypted, authenticated, validated snapshot (mode 0600); absent when it was not kept. */
  path?: string;
  bytes: number;
  sha256: string;
  format: 'vcbk1' | 'legacy';
  /** Removes the temporary files; always call it. */
  cleanup(): Promise<void>;
}

export interface FetchOptions {
  /**
   * Write the plaintext to a private file for an upload into Vault (default). A dry run or a
   * verify only needs the checks, so no decrypted snapshot ever touches the disk for them.
   */
  keepPlaintext?: boolean;
}

export async function fetchAndDecrypt(
  store: BackupStore,
  plan: RestorePlan,
  keyring: Keyring,
  workDir: string,
  /** The lease token of the engine doing this; a later start removes files of dead leases (sweepWorkDir). */
  owner: string,
  { keepPlaintext = true }: FetchOptions = {},
): Promise<DecryptedSnapshot> {
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const id = `${owner}-${randomBytes(6).toString('hex')}`;
  const encPath = join(workDir, `${WORK_FILE_PREFIX}${id}.enc`);
  const plainPath = join(workDir, `${WORK_FILE_PREFIX}${id}.snap`);
  const cleanup = async () => {
    await rm(encPath, { force: true });
    await rm(plainPath, { force: true });
  };
  try {
    const { head, body } = await peekHead(await store.get(plan.key), MAGIC_BYTES);
    const format = detectFormat(head);
    const plain = new HashingStream();
    if (format === 'vcbk1') {
      // One pass: every chunk is authenticated before its plaintext moves on, so decrypting while
      // downloading trusts nothing the download check below could still refuse — and a refused
      // object's plaintext file is removed with the rest.
      const sink = keepPlaintext ? createWriteStream(plainPath, { mode: 0o600, highWaterMark: STREAM_BUFFER_BYTES }) : discard();
      await downloadThrough(body, plan, (feed) => pipeline(feed, createDecryptStream(keyring), plain, createSnapshotValidator(), sink));
    } else {
      // One tag covers the whole legacy file, so it is downloaded and authenticated first.
      await downloadThrough(body, plan, (feed) => pipeline(feed, createWriteStream(encPath, { mode: 0o600 })));
      await decryptLegacyFile(encPath, keyring, plainPath);
      await rm(encPath, { force: true });
      await pipeline(createReadStream(plainPath, { highWaterMark: FILE_READ_BYTES }), plain, createSnapshotValidator(), discard());
      if (!keepPlaintext) await rm(plainPath, { force: true });
    }
    if (plan.plainSha256 && plain.digest() !== plan.plainSha256) {
      throw new CoreError(ErrorCode.VerifyFailed, `The decrypted snapshot of ${plan.key} does not match its recorded plain-sha256; refusing to restore it.`);
    }
    return { ...(keepPlaintext ? { path: plainPath } : {}), bytes: plain.bytes, sha256: plain.digest(), format, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Streams the stored object into `consume` while hashing every byte, and holds it to the plan's
 * size and sha256. The download check comes first: when `consume` fails (a bad tag), the rest is
 * still read and hashed, so a swapped or damaged object is named as such rather than by whichever
 * chunk its damage reached first. More bytes than the plan's size stop the download at once.
 */
async function downloadThrough(source: Readable, plan: RestorePlan, consume: (feed: Readable) => Promise<void>): Promise<void> {
  const hash = createSha256(plan.size);
  let bytes = 0;
  let failure: unknown;
  const feed = new PassThrough({ highWaterMark: STREAM_BUFFER_BYTES });
  const consuming = consume(feed).catch((error: unknown) => {
    failure ??= error;
  });
  const mismatch = (sha256?: string) =>
    new CoreError(
      ErrorCode.VerifyFailed,
      `The stored bytes of ${plan.key} do not match its recorded size and sha256 (${sha256 === undefined ? `more than the recorded ${plan.size} bytes` : `read ${bytes} bytes, sha256 ${sha256.slice(0, 12)}…; expected ${plan.size} bytes, ${plan.sha256?.slice(0, 12) ?? 'no sha256'}…`}); refusing to use it.`,
    );
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes > plan.size) throw mismatch();
      // The consumer's pipeline destroys the feed when it fails, a moment before `failure` is set.
      if (failure === undefined && !feed.destroyed && !feed.write(chunk)) await drained(feed);
    }
  } catch (error) {
    hash.abandon();
    feed.destroy();
    await consuming;
    throw error;
  }
  feed.end();
  await consuming;
  const sha256 = hash.digest();
  if (bytes !== plan.size || (plan.sha256 && sha256 !== plan.sha256)) throw mismatch(sha256);
  if (failure !== undefined) throw failure;
}

/** Resolves once `stream` wants more, or is gone (its consumer failed; the caller sees why). */
function drained(stream: PassThrough): Promise<void> {
  // Already gone: its 'close' has been and will not come again.
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** The first `n` bytes of `source` (fewer if it is shorter), and a stream of all of it from byte 0. */
async function peekHead(source: Readable, n: number): Promise<{ head: Buffer; body: Readable }> {
  const parts: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = source.read() as Buffer | null;
    if (chunk !== null) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= n) break;
      continue;
    }
    if (source.readableEnded || source.destroyed) break;
    const ended = await new Promise<boolean>((resolve, reject) => {
      const settle = (value: boolean) => () => {
        source.off('readable', onReadable);
        source.off('end', onEnd);
        source.off('error', onError);
        resolve(value);
      };
      const onReadable = settle(false);
      const onEnd = settle(true);
      const onError = (error: Error) => {
        source.off('readable', onReadable);
        source.off('end', onEnd);
        reject(error);
      };
      source.once('readable', onReadable);
      source.once('end', onEnd);
      source.once('error', onError);
    });
    if (ended) break;
  }
  const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  if (all.length > 0) source.unshift(all);
  return { head: all.subarray(0, n), body: source };
}
