/**
 * @module restore/fetch-and-decrypt
 * Everything a restore does before it may touch Vault: download the object to a private temporary
 * file while hashing it, compare with the sha256 frozen in the plan, decrypt with authentication
 * into a second private file, and validate the snapshot. Nothing unauthenticated ever reaches
 * Vault: a tampered or truncated file fails here, and the legacy format (one tag at the front) is
 * only trusted once its whole ciphertext has been checked.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CoreError, ErrorCode } from '../errors.js';
import type { Keyring } from '../crypto/keyring.js';
import { createDecryptStream, detectFormat } from '../crypto/decrypt-stream.js';
import { decryptLegacyFile } from '../crypto/legacy.js';
import { discard } from '../streams/discard.js';
import { HashingStream } from '../streams/hashing-stream.js';
import type { BackupStore } from '../store/backup-store.js';
import { createSnapshotValidator } from '../backup/validate-snapshot.js';
import type { RestorePlan } from './restore-plan.js';

const WORK_FILE_PREFIX = 'restore-';

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
  /** Path of the decrypted, authenticated, validated snapshot (mode 0600). */
  path: string;
  bytes: number;
  sha256: string;
  format: 'vcbk1' | 'legacy';
  /** Removes the temporary files; always call it. */
  cleanup(): Promise<void>;
}

export async function fetchAndDecrypt(
  store: BackupStore,
  plan: RestorePlan,
  keyring: Keyring,
  workDir: string,
  /** The lease token of the engine doing this; a later start removes files of dead leases (sweepWorkDir). */
  owner: string,
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
    const stored = new HashingStream();
    await pipeline(await store.get(plan.key), stored, createWriteStream(encPath, { mode: 0o600 }));
    if (stored.bytes !== plan.size || (plan.sha256 && stored.digest() !== plan.sha256)) {
      throw new CoreError(
        ErrorCode.VerifyFailed,
        `The stored bytes of ${plan.key} do not match its recorded size and sha256 (read ${stored.bytes} bytes, sha256 ${stored.digest().slice(0, 12)}…; expected ${plan.size} bytes, ${plan.sha256?.slice(0, 12) ?? 'no sha256'}…); refusing to use it.`,
      );
    }

    // Hashing and snapshot validation ride along in the pass that produces the plaintext.
    const format = detectFormat(await readHead(encPath));
    const plain = new HashingStream();
    if (format === 'vcbk1') {
      await pipeline(createReadStream(encPath), createDecryptStream(keyring), plain, createSnapshotValidator(), createWriteStream(plainPath, { mode: 0o600 }));
    } else {
      // One tag covers the whole legacy file, so it is decrypted to disk and authenticated first.
      await decryptLegacyFile(encPath, keyring, plainPath);
      await pipeline(createReadStream(plainPath), plain, createSnapshotValidator(), discard());
    }
    await rm(encPath, { force: true });
    if (plan.plainSha256 && plain.digest() !== plan.plainSha256) {
      throw new CoreError(ErrorCode.VerifyFailed, `The decrypted snapshot of ${plan.key} does not match its recorded plain-sha256; refusing to restore it.`);
    }
    return { path: plainPath, bytes: plain.bytes, sha256: plain.digest(), format, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buf, 0, 16, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
