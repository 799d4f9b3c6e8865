/**
 * @module restore/execute-restore
 * Runs one restore plan, in the order DESIGN §4 fixes:
 *
 *   download + sha256 → authenticated decrypt → version check → safety snapshot of the target
 *   → POST the snapshot → canary read with production's credentials → record recovery time
 *
 * Nothing touches the target until the snapshot is proven intact and a safety snapshot of the
 * target is stored and verified. `dryRun` stops right before the safety snapshot.
 */
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/types.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { asCoreError, CoreError, ErrorCode } from '../errors.js';
import type { Keyring } from '../crypto/keyring.js';
import type { RestoreReport } from '../notifier.js';
import type { BackupStore } from '../store/backup-store.js';
import { RecyclingFileReader } from '../streams/recycling-file-reader.js';
import type { BackupCatalogue, RestorePurpose } from '../backup/catalogue.js';
import type { BackupOutcome } from '../backup/run-backup.js';
import type { RestoreTarget, SecretReader } from '../backup/ports.js';
import { fetchAndDecrypt, type DecryptedSnapshot } from './fetch-and-decrypt.js';
import type { RestorePlan } from './restore-plan.js';
import { compareVersions } from './versions.js';
import { checkCanary } from './canary.js';
import { establishOutcome } from './establish-outcome.js';
import { RestoreOutcomeUnknown } from '../vault/snapshot.js';
import { formatDuration } from '../actions/format-duration.js';

export type RestoreStep = 'download' | 'version' | 'safety-snapshot' | 'restore' | 'canary';

export interface RestoreDeps {
  store: BackupStore;
  keyring: Keyring;
  catalogue: BackupCatalogue;
  audit: AuditTrail;
  logger: Logger;
  /** Where decrypted snapshots are staged (private temporary files, removed afterwards). */
  workDir: string;
  target: RestoreTarget;
  /** Takes and verifies a `pre-restore` backup of the target. */
  takeSafetySnapshot: () => Promise<BackupOutcome>;
  /** The canary secret, read with production's credentials at the target's address. */
  canary?: { path: string; reader: SecretReader; timeoutMs?: number };
  clock?: Clock;
  /** The lease token of the engine running this; it must hold the lease meanwhile. */
  owner: string;
  /** How long to wait for Vault's answer to the upload (it answers after installing); default 1 h. */
  restoreTimeoutMs?: number;
  /** After an unanswered upload, how long to look for evidence of the outcome (default 5 min), and how often. */
  outcomeCheck?: { timeoutMs?: number; intervalMs?: number };
}

export const DEFAULT_RESTORE_TIMEOUT_MS = 3_600_000;

export interface RestoreOptions {
  actor: string;
  purpose: RestorePurpose;
  dryRun: boolean;
}

export type RestoreOutcome =
  | { ok: true; report: RestoreReport }
  | { ok: false; step: RestoreStep; error: CoreError; report: RestoreReport };

export async function executeRestore(deps: RestoreDeps, plan: RestorePlan, opts: RestoreOptions): Promise<RestoreOutcome> {
  const now = deps.clock ?? systemClock;
  const started = now().getTime();
  const log = deps.logger.child({ job: opts.purpose, key: plan.key, target: plan.target, dryRun: opts.dryRun });
  const restoreId = deps.catalogue.startRestore({ key: plan.key, target: plan.target, purpose: opts.purpose, dryRun: opts.dryRun, owner: deps.owner });
  const report: RestoreReport = { key: plan.key, target: plan.target, recoveryMs: 0, canary: 'skipped', dryRun: opts.dryRun };
  deps.audit.append({ actor: opts.actor, event: `${opts.purpose}.started`, target: plan.key, details: { ...planDetails(plan), address: deps.target.address, dryRun: opts.dryRun } });

  let step: RestoreStep = 'download';
  let decrypted: DecryptedSnapshot | undefined;
  try {
    decrypted = await fetchAndDecrypt(deps.store, plan, deps.keyring, deps.workDir, deps.owner, { keepPlaintext: !opts.dryRun });
    log.info({ bytes: decrypted.bytes, format: decrypted.format }, 'snapshot downloaded, authenticated and validated');

    step = 'version';
    const health = await deps.target.health();
    if (plan.vaultVersion && health.version && compareVersions(health.version, plan.vaultVersion) < 0) {
      throw new CoreError(
        ErrorCode.RestoreRefused,
        `The backup was taken on Vault ${plan.vaultVersion} but the target runs ${health.version}; a snapshot restores only onto the same or a newer version. Upgrade the target first.`,
      );
    }
    if (opts.dryRun) {
      report.note = `Dry run: the backup decrypts and validates (${decrypted.bytes} bytes, sha256 ${decrypted.sha256.slice(0, 12)}…); the target was not touched.`;
      return finish(deps, restoreId, opts, report, now().getTime() - started, log);
    }

    step = 'safety-snapshot';
    const safety = await deps.takeSafetySnapshot();
    if (!safety.ok) {
      throw new CoreError(ErrorCode.RestoreRefused, `The safety snapshot of the target failed at ${safety.step} (${safety.error.userMessage}); the target was not touched.`, { cause: safety.error });
    }
    report.safetySnapshotKey = safety.report.key;
    deps.catalogue.noteRestoreSafety(restoreId, safety.report.key);

    step = 'restore';
    deps.audit.append({ actor: opts.actor, event: `${opts.purpose}.applying`, target: plan.key, details: { address: deps.target.address, force: plan.force, safetySnapshot: safety.report.key } });
    const path = decrypted.path;
    if (path === undefined) throw new CoreError(ErrorCode.Internal, 'The decrypted snapshot was not kept; nothing was sent to Vault.');
    const indexBefore = await deps.target.raftIndex?.().catch(() => undefined);
    const timeoutMs = deps.restoreTimeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS;
    try {
      await deps.target.restoreSnapshot(() => new RecyclingFileReader(path), { force: plan.force, timeoutMs });
    } catch (error) {
      if (!(error instanceof RestoreOutcomeUnknown)) throw error;
      // Vault has the whole snapshot and may have installed it: find out, never guess "failed".
      log.warn({ err: error }, 'the restore upload got no answer; establishing the outcome');
      deps.audit.append({ actor: opts.actor, event: `${opts.purpose}.outcome-unknown`, target: plan.key, details: { address: deps.target.address, bytesSent: error.bytesSent, reason: error.userMessage } });
      const settled = await establishOutcome(deps.target, indexBefore, { timeoutMs: deps.outcomeCheck?.timeoutMs ?? 300_000, clock: now, ...(deps.outcomeCheck?.intervalMs ? { intervalMs: deps.outcomeCheck.intervalMs } : {}) });
      report.outcome = { answered: false, established: settled.status, evidence: settled.evidence };
      deps.audit.append({ actor: opts.actor, event: `${opts.purpose}.outcome-established`, target: plan.key, details: { status: settled.status, evidence: settled.evidence } });
      if (settled.status === 'unknown') {
        const where = plan.target === 'prod' ? 'production' : 'staging';
        throw new CoreError(
          ErrorCode.VaultTimeout,
          `The outcome of the restore is unknown: Vault at ${deps.target.address} received the whole snapshot but did not answer within ${formatDuration(timeoutMs)}, and since then ${settled.evidence}. Check ${where} (its data, sys/leader, the Vault log) before doing anything else; the safety snapshot ${report.safetySnapshotKey} holds what it had before.`,
          { cause: error },
        );
      }
      log.info({ evidence: settled.evidence }, 'the unanswered restore was applied');
    }

    step = 'canary';
    if (deps.canary) {
      const canary = await checkCanary(deps.target, deps.canary.reader, deps.canary.path, { timeoutMs: deps.canary.timeoutMs ?? 60_000, clock: now });
      report.canary = canary.status;
      if (canary.detail) report.canaryDetail = canary.detail;
      if (canary.note) report.note = canary.note;
    } else {
      report.note = 'VAULT_CANARY_PATH is not set, so the restored data was not read back.';
    }
    return finish(deps, restoreId, opts, report, now().getTime() - started, log);
  } catch (raw) {
    const error = asCoreError(raw, `The restore failed at ${step}; see the bot log for details.`);
    report.recoveryMs = now().getTime() - started;
    log.error({ step, code: error.code, err: raw }, `restore failed at ${step}: ${error.userMessage}`);
    deps.catalogue.finishRestore(restoreId, { status: 'failed', step, error: error.userMessage, ...(report.safetySnapshotKey ? { safetyKey: report.safetySnapshotKey } : {}) });
    deps.audit.append({ actor: opts.actor, event: `${opts.purpose}.failed`, target: plan.key, details: { step, reason: error.userMessage, code: error.code, ...(report.safetySnapshotKey ? { safetySnapshot: report.safetySnapshotKey } : {}), ...(report.outcome ? { outcome: report.outcome.established } : {}) } });
    return { ok: false, step, error, report };
  } finally {
    await decrypted?.cleanup();
  }
}

async function finish(
  deps: RestoreDeps,
  restoreId: number,
  opts: RestoreOptions,
  report: RestoreReport,
  elapsedMs: number,
  log: Logger,
): Promise<RestoreOutcome> {
  report.recoveryMs = elapsedMs;
  const failedCanary = report.canary === 'failed';
  // The data went in; only the read-back failed. Say what happened to the target and how to undo it.
  const replaced = failedCanary ? dataReplacedMessage(deps, report) : undefined;
  if (replaced) report.note = replaced;
  deps.catalogue.finishRestore(restoreId, {
    status: failedCanary ? 'failed' : 'succeeded',
    ...(failedCanary ? { step: 'canary', error: report.canaryDetail ?? 'canary read failed' } : {}),
    ...(report.safetySnapshotKey ? { safetyKey: report.safetySnapshotKey } : {}),
    canary: report.canary,
    recoveryMs: elapsedMs,
  });
  deps.audit.append({
    actor: opts.actor,
    event: `${opts.purpose}.${failedCanary ? 'failed' : 'succeeded'}`,
    target: report.key,
    details: { recoveryMs: elapsedMs, canary: report.canary, dryRun: report.dryRun, ...(report.safetySnapshotKey ? { safetySnapshot: report.safetySnapshotKey } : {}), ...(report.note ? { note: report.note } : {}) },
  });
  log.info({ recoveryMs: elapsedMs, canary: report.canary }, 'restore finished');
  if (failedCanary) {
    return { ok: false, step: 'canary', error: new CoreError(ErrorCode.RestoreRefused, replaced ?? 'The canary secret could not be read after the restore.'), report };
  }
  return { ok: true, report };
}

/**
 * A restore whose snapshot was applied but whose canary could not be read: the target's data WAS
 * replaced (this is not a failed restore that left it untouched), the safety snapshot and the
 * exact commands roll it back, and the usual cause is the restored token store.
 */
function dataReplacedMessage(deps: RestoreDeps, report: RestoreReport): string {
  const where = report.target === 'prod' ? 'production' : 'staging';
  const path = deps.canary?.path ?? 'the canary secret';
  const detail = report.canaryDetail ? ` (${report.canaryDetail})` : '';
  const safety = report.safetySnapshotKey;
  const rollBack = safety
    ? ` To roll back to what ${where} held before, restore the safety snapshot: "/vault restore ${safety}${report.target === 'staging' ? ' staging' : ''}" in Slack, or "vault-chatops restore ${safety} --target ${report.target}${report.target === 'staging' ? ' --force' : ''}".`
    : '';
  return `The data of ${where} (${deps.target.address}) was replaced with the backup ${report.key}, but ${path} could not be read afterwards${detail}. ` +
    'Likely cause: the restored snapshot brought its own token store, so the token used for the canary read (VAULT_CANARY_TOKEN, or the bot\'s own) does not exist there or may not read that path; ' +
    `check ${where} with a token valid at the time of the backup.${rollBack}`;
}

function planDetails(plan: RestorePlan): Record<string, unknown> {
  return { target: plan.target, force: plan.force, size: plan.size, sha256: plan.sha256 ?? null, format: plan.format ?? null };
}
