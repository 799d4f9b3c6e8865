/**
 * @module rotation/rotate-backup-key
 * `rotate backup-key` (DESIGN §11): after an operator added a key to BACKUP_KEYS and made it
 * active, every backup still under an older key is re-encrypted under the active one, one object
 * at a time (`reencrypt-object.ts`), each audited, the catalogue row updated last. The backups'
 * own metadata (`key-id`) is the progress record, so a run that was interrupted resumes where it
 * stopped: objects already under the active key are not redone, only their catalogue rows and
 * leftover temporary copies are tidied. Legacy-format objects (no header, DESIGN §5) are moved
 * too, their key found as restore finds it (each BACKUP_KEYS key in turn); one no key decrypts
 * is left as it is and named in the report, so the old keys are not called removable.
 */
import type { AuditTrail } from '../audit/types.js';
import type { BackupCatalogue } from '../backup/catalogue.js';
import { isBackupObjectKey } from '../backup/object-names.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../crypto/keyring.js';
import { findLegacyKeyIn } from '../crypto/legacy.js';
import { CoreError, ErrorCode, asCoreError } from '../errors.js';
import type { BackupStore, ObjectMetadata } from '../store/backup-store.js';
import { reencryptObject, tempKeyFor } from './reencrypt-object.js';
import { storedKeyId } from './stored-key-id.js';

/** What a `rotate-backup-key` request freezes: the target key and what was found to move. */
export interface RotateBackupKeyParams {
  activeKeyId: string;
  /** Key ids the backups to move are under, with how many each. */
  fromKeys: Record<string, number>;
  objects: number;
  bytes: number;
  store: string;
}

export interface BackupKeyDeps {
  store: BackupStore;
  keyring: Keyring;
  catalogue: Pick<BackupCatalogue, 'get' | 'record'>;
  audit: AuditTrail;
  clock: Clock;
}

export interface BackupKeyProgress {
  done: number;
  total: number;
  bytes: number;
  skipped: number;
}

export interface RotateBackupKeyOptions {
  actor: string;
  signal?: AbortSignal;
  /** Called every `progressEvery` objects or `progressMs`, whichever comes first, and at the end. */
  onProgress?: (p: BackupKeyProgress) => void;
  progressEvery?: number;
  progressMs?: number;
}

export interface RotateBackupKeyReport {
  activeKeyId: string;
  reencrypted: number;
  /** Objects already under the active key whose catalogue row had to catch up (a resumed run). */
  caughtUp: number;
  bytes: number;
  /** Legacy-format backups no key in BACKUP_KEYS decrypts: left as they are. */
  legacy: string[];
  remainingKeyIds: string[];
}

/** The `fromKeys` entry counting legacy-format backups (their key is found at run time). */
export const LEGACY_FROM_KEY = 'legacy format';

interface Candidate {
  key: string;
  size: number;
  metadata: ObjectMetadata;
  /** From the stored bytes: a vcbk1 header, or none (legacy). */
  format: 'vcbk1' | 'legacy';
  /**
   * The key the bytes are really under (vcbk1 header), else the metadata's `key-id`. Progress is
   * judged by this: a crash between an object's and its sidecar's rename leaves them disagreeing.
   */
  keyId: string | undefined;
}

/**
 * Every backup object (the staging safety snapshots under `staging/` too) with its metadata and
 * real key id, oldest name first (stable order for resuming).
 */
async function backups(store: BackupStore): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for await (const listed of store.list()) {
    if (!isBackupObjectKey(listed.key)) continue;
    const stat = await store.stat(listed.key);
    if (!stat) continue;
    // Judged from the bytes, not the metadata: a crash between an object's and its sidecar's
    // rename can leave a legacy sidecar beside vcbk1 bytes, or the reverse.
    const keyId = await storedKeyId(store, listed.key);
    out.push({ key: listed.key, size: stat.size, metadata: stat.metadata, format: keyId === undefined ? 'legacy' : 'vcbk1', keyId });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Request time: refuses when the active key is the only key, or when no backup needs it. */
export async function planBackupKeyRotation(deps: Pick<BackupKeyDeps, 'store' | 'keyring'>): Promise<RotateBackupKeyParams> {
  const { keyring, store } = deps;
  const active = keyring.active.id;
  if (keyring.all().length < 2) {
    throw new CoreError(
      ErrorCode.InvalidInput,
      `BACKUP_KEYS holds only the active key "${active}", so there is nothing to rotate to: add a new key to BACKUP_KEYS, set BACKUP_ACTIVE_KEY to it, restart the bot, then run this again.`,
    );
  }
  const fromKeys: Record<string, number> = {};
  let objects = 0;
  let bytes = 0;
  for (const b of await backups(store)) {
    if (isDone(b, active)) continue;
    const from = b.format === 'legacy' ? LEGACY_FROM_KEY : (b.keyId ?? 'unknown');
    fromKeys[from] = (fromKeys[from] ?? 0) + 1;
    objects += 1;
    bytes += b.size;
  }
  if (objects === 0) {
    throw new CoreError(
      ErrorCode.InvalidInput,
      `Every backup in ${store.location} is already under the active key "${active}"; nothing needs re-encrypting. The other keys can be removed from BACKUP_KEYS.`,
    );
  }
  return { activeKeyId: active, fromKeys, objects, bytes, store: store.location };
}

export async function rotateBackupKey(deps: BackupKeyDeps, params: Readonly<RotateBackupKeyParams>, o: RotateBackupKeyOptions): Promise<RotateBackupKeyReport> {
  const { store, keyring, catalogue, audit, clock } = deps;
  const active = keyring.active.id;
  if (active !== params.activeKeyId) {
    throw new CoreError(ErrorCode.ApprovalRefused, `This rotation was approved to key "${params.activeKeyId}", but the active key is now "${active}"; nothing was re-encrypted. Request it again.`);
  }
  const all = await backups(store);
  const legacy: string[] = [];
  const work = all;
  const total = work.filter((b) => !isDone(b, active)).length;
  const progress: BackupKeyProgress = { done: 0, total, bytes: 0, skipped: 0 };
  let reported = { at: clock().getTime(), done: 0 };
  const every = o.progressEvery ?? 5;
  const everyMs = o.progressMs ?? 10_000;
  audit.append({ actor: o.actor, event: 'rotation.backup_key.started', target: store.location, details: { activeKeyId: active, toReencrypt: total, legacy: all.filter((b) => b.format === 'legacy').length } });

  let caughtUp = 0;
  for (const b of work) {
    o.signal?.throwIfAborted();
    if (isDone(b, active)) {
      // Done by this run or an earlier one (its header and metadata both say so); make sure its
      // catalogue row and temporary copy caught up.
      if (tidyFinished(deps, b)) caughtUp += 1;
      await store.delete(tempKeyFor(b.key)).catch(() => {});
      continue;
    }
    // Old bytes (whatever the metadata claims), or new bytes whose metadata lags: redone from the
    // bytes really stored; a verified temporary copy from an earlier run is only ever overwritten.
    let fromKey = b.keyId ?? 'unknown';
    let legacyKey;
    if (b.format === 'legacy') {
      // As restore does: no key id in the file, so each key of the ring is tried (one pass).
      legacyKey = await findLegacyKeyIn((await store.get(b.key)) as AsyncIterable<Buffer>, keyring.all()).catch(() => undefined);
      if (!legacyKey) {
        legacy.push(b.key);
        progress.skipped += 1;
        audit.append({ actor: o.actor, event: 'rotation.backup_key.object_skipped', target: b.key, details: { format: 'legacy', toKey: active, reason: 'no key in BACKUP_KEYS decrypts it' } });
        continue;
      }
      fromKey = legacyKey.id;
    }
    let result;
    try {
      const { 'key-id': _claimed, ...rest } = b.metadata;
      result = await reencryptObject(store, keyring, b.key, { ...rest, ...(b.keyId ? { 'key-id': b.keyId } : {}) }, o.signal, legacyKey);
    } catch (error) {
      const e = asCoreError(error);
      audit.append({ actor: o.actor, event: 'rotation.backup_key.object_failed', target: b.key, details: { fromKey, toKey: active, code: e.code, message: e.userMessage } });
      throw new CoreError(e.code, `Stopped at ${b.key} after re-encrypting ${progress.done} of ${total} backups: ${e.userMessage} ${await stillReadable(store, keyring, b.key)}`, { cause: error });
    }
    updateCatalogue(deps, b.key, result.sha256, result.size, active);
    audit.append({ actor: o.actor, event: 'rotation.backup_key.object', target: b.key, details: { fromKey, ...(b.format === 'legacy' ? { fromFormat: 'legacy' } : {}), toKey: active, sha256: result.sha256, bytes: result.size } });
    progress.done += 1;
    progress.bytes += result.size;
    const now = clock().getTime();
    if (progress.done - reported.done >= every || now - reported.at >= everyMs) {
      o.onProgress?.({ ...progress });
      reported = { at: now, done: progress.done };
    }
  }
  const remaining = [...new Set((await backups(store)).filter((b) => b.format === 'vcbk1').map((b) => b.keyId ?? 'unknown'))].filter((id) => id !== active);
  audit.append({ actor: o.actor, event: 'rotation.backup_key.finished', target: store.location, details: { activeKeyId: active, reencrypted: progress.done, caughtUp, remainingKeyIds: remaining } });
  return { activeKeyId: active, reencrypted: progress.done, caughtUp, bytes: progress.bytes, legacy, remainingKeyIds: remaining };
}

/** Finished: the bytes are under the active key and the metadata says so too. */
function isDone(b: Candidate, active: string): boolean {
  return b.keyId === active && b.metadata['key-id'] === active;
}

/** After a failure, what is really under the backup's name, checked rather than assumed. */
async function stillReadable(store: BackupStore, keyring: Keyring, key: string): Promise<string> {
  const keyId = await storedKeyId(store, key).catch(() => undefined);
  if (keyId !== undefined && keyring.get(keyId)) {
    return `${key} is still there under key "${keyId}", which BACKUP_KEYS holds; run the rotation again to continue.`;
  }
  return `${key} could not be confirmed readable with BACKUP_KEYS; keep ${tempKeyFor(key)} if it exists (a verified copy under the active key) and check with \`vault-chatops backup verify ${key}\` before running the rotation again.`;
}

/** The catalogue row last: it follows the object, never leads it. Returns true when it had to catch up. */
function tidyFinished(deps: BackupKeyDeps, b: Candidate): boolean {
  const row = deps.catalogue.get(b.key);
  const sha = b.metadata.sha256;
  if (!row || !sha || (row.keyId === b.metadata['key-id'] && row.sha256 === sha)) return false;
  updateCatalogue(deps, b.key, sha, b.size, b.metadata['key-id'] as string);
  deps.audit.append({ actor: 'system', event: 'rotation.backup_key.catalogue_caught_up', target: b.key, details: { keyId: b.metadata['key-id'], sha256: sha } });
  return true;
}

function updateCatalogue(deps: BackupKeyDeps, key: string, sha256: string, size: number, keyId: string): void {
  const row = deps.catalogue.get(key);
  if (!row) return;
  const { deletedAt: _deleted, ...rest } = row;
  deps.catalogue.record({ ...rest, sha256, storedBytes: size, keyId, format: 'vcbk1', verifiedAt: deps.clock().toISOString() });
}
