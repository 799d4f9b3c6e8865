/**
 * @module backup/run-backup
 * The backup pipeline of DESIGN §4, as a short list of steps:
 *
 *   snapshot → validate → encrypt → upload (streamed end to end) → verify → catalogue → audit → notify
 *
 * Bytes flow through streams only, so memory stays flat whatever the snapshot size. Every failure
 * names its step, leaves nothing under the final name, is audited, and pages through the Notifier.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { AuditEntry, AuditTrail } from '../audit/types.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { asCoreError, CoreError, ErrorCode } from '../errors.js';
import type { BackupKind, BackupReport, Notifier } from '../notifier.js';
import type { BackupStore } from '../store/backup-store.js';
import { createEncryptStream } from '../crypto/encrypt-stream.js';
import type { Keyring } from '../crypto/keyring.js';
import { PendingWrites } from '../db/pending-writes.js';
import { HashingStream } from '../streams/hashing-stream.js';
import type { BackupCatalogue } from './catalogue.js';
import { buildMetadata } from './metadata.js';
import { objectKeyFor } from './object-names.js';
import type { SnapshotSource } from './ports.js';
import { createSnapshotValidator } from './validate-snapshot.js';
import { verifyStoredObject } from './verify-stored.js';

export type BackupStep = 'start' | 'snapshot' | 'validate' | 'encrypt' | 'upload' | 'verify' | 'catalogue';

export interface BackupDeps {
  vault: SnapshotSource;
  store: BackupStore;
  keyring: Keyring;
  catalogue: BackupCatalogue;
  audit: AuditTrail;
  notifier: Notifier;
  logger: Logger;
  clock?: Clock;
  /** Plaintext bytes per encrypted chunk; the format's default unless a test wants small chunks. */
  chunkSize?: number;
  /** The lease token of the engine running this (see run-lease.ts); it must hold the lease meanwhile. */
  owner: string;
  /** The lease bound (a run without a heartbeat for this long is dead), for the "already running" message. */
  staleAfterMs?: number;
  /**
   * Where database writes go that the database cannot take right now (locked, disk full); the
   * engine retries them. Without it they are tried once and logged.
   */
  pending?: PendingWrites;
}

export interface BackupOptions {
  kind: BackupKind;
  /** Who asked: `system` for the scheduler, `cli`, or a Slack user ID. */
  actor: string;
  /** Why, when it is not the schedule (e.g. "the last backup is 31 h old"). */
  reason?: string;
  /**
   * Written under this prefix (`staging/`): a staging restore's safety snapshot is kept apart, so
   * no listing, `latest` or date ever takes it for a production backup.
   */
  keyPrefix?: string;
}

export type BackupOutcome =
  | { ok: true; report: BackupReport }
  | { ok: false; step: BackupStep; error: CoreError; key: string };

/** Takes one backup. Never throws for a failed backup: the outcome says which step failed. */
export async function runBackup(deps: BackupDeps, opts: BackupOptions): Promise<BackupOutcome> {
  const now = deps.clock ?? systemClock;
  const startedAt = now();
  const pending = deps.pending ?? new PendingWrites(deps.logger);
  /** Audits through `pending`: a row that must wait says when it happened. */
  const audit = (entry: AuditEntry): void => {
    const at = now().toISOString();
    pending.attempt(`audit ${entry.event}`, () => {
      const late = now().toISOString() !== at;
      deps.audit.append(late ? { ...entry, details: { ...entry.details, occurredAt: at, recordedLate: true } } : entry);
    });
  };
  const prefix = opts.keyPrefix ?? '';
  let key = prefix + objectKeyFor(opts.kind, startedAt);
  let runId: number;
  try {
    key = await freeKey(deps.store, opts.kind, startedAt, prefix);
    runId = deps.catalogue.startRun(opts.kind, key, deps.owner, deps.staleAfterMs === undefined ? {} : { staleAfterMs: deps.staleAfterMs });
  } catch (raw) {
    // The store cannot be read, or another run holds the slot: nothing was touched. Still a
    // backup that did not happen, so it is audited and pages like any other failure.
    const error = isDatabaseError(raw)
      ? new CoreError(ErrorCode.Internal, `The backup could not start: the database could not be written (${databaseProblem(raw)}); nothing was taken. It is retried at the next scheduled run, or run it by hand once the database can be written.`, { cause: raw })
      : asCoreError(raw, 'The backup could not start; see the bot log for details.');
    deps.logger.error({ job: 'backup', kind: opts.kind, err: raw }, `backup could not start: ${error.userMessage}`);
    audit({ actor: opts.actor, event: 'backup.failed', target: key, details: { kind: opts.kind, step: 'start', reason: error.userMessage, code: error.code } });
    await deps.notifier.backupFailed({ kind: opts.kind, step: 'start', reason: error.userMessage }).catch(() => undefined);
    return { ok: false, step: 'start', error, key };
  }
  const log = deps.logger.child({ job: 'backup', kind: opts.kind, key });
  audit({ actor: opts.actor, event: 'backup.started', target: key, details: { kind: opts.kind, store: deps.store.location, ...(opts.reason ? { reason: opts.reason } : {}) } });

  let step: BackupStep = 'snapshot';
  let catalogued = false;
  try {
    const health = await deps.vault.health();
    const version = health.version;
    const cluster = { ...(health.clusterId ? { id: health.clusterId } : {}), ...(health.clusterName ? { name: health.clusterName } : {}) };
    const auditHead = deps.audit.head();
    const snapshot = await deps.vault.snapshot();

    const plain = new HashingStream();
    const stored = new HashingStream();
    const written = await streamToStore(
      { snapshot, validator: createSnapshotValidator(), plain, encrypt: createEncryptStream(deps.keyring.active, deps.chunkSize ? { chunkSize: deps.chunkSize } : {}), stored },
      (s) => { step = s; },
      (body) =>
        deps.store.put(key, body, () =>
          buildMetadata({ stored, plain, keyId: deps.keyring.active.id, vaultVersion: version, createdAt: startedAt, kind: opts.kind, auditHead, cluster }),
        ),
    );

    const uploadedAt = now();
    step = 'verify';
    await verifyStoredObject(deps.store, key, { size: written.size, sha256: stored.digest() });
    const verifyMs = now().getTime() - uploadedAt.getTime();

    step = 'catalogue';
    // A verified object the catalogue does not know must not stay: if this write fails the
    // failure handler deletes it. Everything after it may wait for the database.
    deps.catalogue.record({
      key, kind: opts.kind, store: deps.store.location, createdAt: startedAt.toISOString(),
      storedBytes: stored.bytes, sha256: stored.digest(), plainBytes: plain.bytes, plainSha256: plain.digest(),
      keyId: deps.keyring.active.id, format: 'vcbk1', vaultVersion: version ?? null,
      auditHead: `${auditHead.id}:${auditHead.hash}`, verifiedAt: now().toISOString(), cluster: health.clusterId ?? null,
    });
    catalogued = true;
    pending.attempt('close the backup run', () => deps.catalogue.finishRun(runId, { status: 'succeeded' }));

    const report: BackupReport = {
      kind: opts.kind, key, store: deps.store.location, storedBytes: stored.bytes, plainBytes: plain.bytes,
      sha256: stored.digest(), durationMs: now().getTime() - startedAt.getTime(), deleted: [],
    };
    audit({ actor: opts.actor, event: 'backup.succeeded', target: key, details: { ...report } });
    log.info({ bytes: report.storedBytes, durationMs: report.durationMs, uploadMs: uploadedAt.getTime() - startedAt.getTime(), verifyMs }, 'backup verified');
    return { ok: true, report };
  } catch (raw) {
    let error = asCoreError(raw, `The ${step} step failed; see the bot log for details.`);
    log.error({ step, code: error.code, err: raw }, `backup failed at ${step}: ${error.userMessage}`);
    if (catalogued) {
      // Only a bug after the catalogue write lands here: the backup itself is good and recorded.
      return { ok: false, step, error, key };
    }
    if (step === 'catalogue') error = await dropUncatalogued(deps.store, key, raw);
    // None of these may stop the page: the database may be what failed (locked, disk full).
    pending.attempt('close the backup run', () => deps.catalogue.finishRun(runId, { status: 'failed', step, error: error.userMessage }));
    audit({ actor: opts.actor, event: 'backup.failed', target: key, details: { kind: opts.kind, step, reason: error.userMessage, code: error.code } });
    await deps.notifier
      .backupFailed({ kind: opts.kind, step, reason: error.userMessage, key })
      .catch((e: unknown) => log.error({ err: e }, 'could not page about the failed backup'));
    return { ok: false, step, error, key };
  }
}

/**
 * The catalogue could not record a verified backup (the database is locked or full): an object
 * nobody knows about must not stay under a final name, so it is deleted, and the reason says so.
 */
async function dropUncatalogued(store: BackupStore, key: string, cause: unknown): Promise<CoreError> {
  const deleted = await store.delete(key).then(() => true, () => false);
  const why = cause instanceof CoreError ? cause.userMessage : `the database could not be written (${databaseProblem(cause)})`;
  return new CoreError(
    ErrorCode.Internal,
    `The backup ${key} was stored and verified, but ${why}; ${deleted ? 'it was deleted, since nothing would know about it. Run the backup again once the database can be written' : 'delete it by hand: it is not catalogued'}.`,
    { cause },
  );
}

function isDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** SQLite's own words for the usual causes, never more (no paths or SQL). */
function databaseProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'database is locked';
  if (code === 'SQLITE_FULL') return 'database or disk is full';
  if (code === 'SQLITE_READONLY') return 'database is read-only';
  return typeof code === 'string' ? code : 'unexpected error';
}

/**
 * Names have one-second resolution; a second backup of the same kind within that second would
 * replace the first, so it takes the next free second instead.
 */
async function freeKey(store: BackupStore, kind: BackupKind, at: Date, prefix = ''): Promise<string> {
  for (let offset = 0; offset < 60; offset += 1) {
    const key = prefix + objectKeyFor(kind, new Date(at.getTime() + offset * 1000));
    if (!(await store.stat(key))) return key;
  }
  throw new CoreError(ErrorCode.StoreFailed, `Every ${kind} backup name of the next minute is taken; try again in a minute.`);
}

interface PipelineStreams {
  snapshot: Readable;
  validator: NodeJS.ReadWriteStream & Readable;
  plain: HashingStream;
  encrypt: NodeJS.ReadWriteStream & Readable;
  stored: HashingStream;
}

/**
 * Pipes snapshot → validator → plain hash → encrypt → stored hash into `put`, and reports the step
 * of the first stream that failed. A failed upload tears the pipe down so Vault's stream is closed.
 */
async function streamToStore(
  s: PipelineStreams,
  setStep: (step: BackupStep) => void,
  put: (body: Readable) => Promise<{ size: number }>,
): Promise<{ size: number }> {
  let failure: { step: BackupStep; error: unknown } | undefined;
  // A premature close is what the other streams see when one is torn down: a consequence, never
  // the cause (a store failing to open its file used to be reported as "validate … Premature close").
  const mark = (step: BackupStep) => (error: unknown) => {
    if ((error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    failure ??= { step, error };
  };
  s.snapshot.once('error', mark('snapshot'));
  s.validator.once('error', mark('validate'));
  s.encrypt.once('error', mark('encrypt'));
  // The store destroys its body first when it fails (disk full, S3 error): that is the upload.
  s.stored.once('error', mark('upload'));

  const piping = pipeline(s.snapshot, s.validator, s.plain, s.encrypt, s.stored);
  const putting = put(s.stored).catch((error: unknown) => {
    mark('upload')(error);
    s.snapshot.destroy(asCoreError(error));
    throw error;
  });
  const [piped, uploaded] = await Promise.allSettled([piping, putting]);
  if (uploaded.status === 'fulfilled' && piped.status === 'fulfilled') return uploaded.value;
  const reason = uploaded.status === 'rejected' ? uploaded.reason : (piped as PromiseRejectedResult).reason;
  const { step, error } = failure ?? { step: 'upload' as const, error: reason };
  setStep(step);
  throw error;
}
