/**
 * @module recover/execute-recovery
 * Runs an approved recovery (DESIGN §12):
 *
 *   restore the frozen backup into staging (the existing restore path: download, sha256,
 *   authenticated decrypt, version check, safety snapshot, forced POST, canary)
 *   → list and read the paths on staging with production's credentials
 *   → write each to production as a new KV v2 version, check-and-set on the version seen at
 *     request time; unchanged data is not rewritten
 *
 * Values live only in memory between the staging read and the production write: no log line,
 * audit row, error message or result fact carries one. Every path ends in exactly one outcome.
 */
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import type { AuditTrail } from '../audit/types.js';
import { asCoreError, CoreError, ErrorCode, isCoreError } from '../errors.js';
import type { RestoreOutcome } from '../restore/execute-restore.js';
import type { RestorePlan } from '../restore/restore-plan.js';
import type { KvMetadata, KvWriteResult } from '../vault/types.js';
import type { RecoverParams } from './plan-recovery.js';

/** Reads on staging (production's credentials at staging's address); `VaultClient` satisfies it. */
export interface RecoverSource {
  kvMetadata(mount: string, path: string): Promise<KvMetadata | undefined>;
  kvReadVersion(mount: string, path: string, version?: number): Promise<Record<string, unknown>>;
  kvListRecursive(mount: string, prefix: string): Promise<string[]>;
  stop(): void;
}

/** Reads and check-and-set writes on production; `VaultClient` satisfies it. */
export interface RecoverDestination extends Omit<RecoverSource, 'stop'> {
  readonly address: string;
  kvWrite(mount: string, path: string, data: Record<string, unknown>, cas?: number): Promise<KvWriteResult>;
}

export interface RecoverDeps {
  production: RecoverDestination;
  stagingAddress: string | undefined;
  restore(plan: RestorePlan, opts: { actor: string; purpose: 'recover'; dryRun: boolean }): Promise<RestoreOutcome>;
  /** A client with production's credentials at `addr`. */
  sourceAt(addr: string): RecoverSource;
  audit: AuditTrail;
}

export type PathOutcome =
  | { path: string; status: 'written'; from: number; to: number }
  | { path: string; status: 'skipped'; reason: string };

export interface RecoveryReport {
  target: string;
  key: string;
  outcomes: PathOutcome[];
  restoreMs: number;
  totalMs: number;
  safetySnapshotKey?: string;
  note?: string;
}

export async function executeRecovery(deps: RecoverDeps, p: RecoverParams, actor: string): Promise<RecoveryReport> {
  const started = performance.now();
  const target = `${p.mount}${p.path}`;
  const mount = p.mount.replace(/\/+$/, '');
  if (p.productionAddress !== deps.production.address) {
    throw new CoreError(ErrorCode.RestoreRefused, `This recovery was approved for ${p.productionAddress}, but the bot now talks to ${deps.production.address}; nothing was written. Request it again.`);
  }
  const staging = deps.stagingAddress;
  if (!staging || (p.restore.address && p.restore.address !== staging)) {
    throw new CoreError(ErrorCode.RestoreRefused, `The staging Vault this recovery was approved for (${p.restore.address ?? 'unknown'}) is ${staging ? `now ${staging}` : 'no longer configured'}; nothing was restored or written. Request it again.`);
  }
  deps.audit.append({ actor, event: 'recover.started', target, details: { key: p.restore.key, sha256: p.restore.sha256 ?? null, paths: Object.keys(p.seen).length, prefix: p.prefix } });

  const restored = await deps.restore(p.restore, { actor, purpose: 'recover', dryRun: false });
  if (!restored.ok) {
    deps.audit.append({ actor, event: 'recover.failed', target, details: { step: `staging ${restored.step}`, reason: restored.error.userMessage } });
    throw new CoreError(restored.error.code, `Restoring ${p.restore.key} into staging failed at ${restored.step}: ${restored.error.userMessage} Nothing was written to production.`, { cause: restored.error });
  }
  const restoreMs = Math.round(performance.now() - started);

  const source = deps.sourceAt(staging);
  const outcomes: PathOutcome[] = [];
  try {
    const inBackup = p.prefix ? await source.kvListRecursive(mount, p.path) : [p.path];
    for (const path of inBackup) outcomes.push(await recoverOne(deps, source, mount, path, p.seen[path] ?? 0, actor, p.mount));
    // Secrets production had under the folder that the backup does not: left as they are.
    const listed = new Set(inBackup);
    for (const path of Object.keys(p.seen)) if (!listed.has(path)) outcomes.push({ path, status: 'skipped', reason: 'not in the backup; left as it is' });
  } catch (raw) {
    const error = asCoreError(raw, 'Copying the secrets from staging to production failed; see the bot log.');
    const written = outcomes.filter((o) => o.status === 'written').length;
    deps.audit.append({ actor, event: 'recover.failed', target, details: { step: 'copy', reason: error.userMessage, written } });
    throw new CoreError(error.code, `The backup was restored into staging, but copying the secrets stopped: ${error.userMessage.replace(/\.$/, '')}. ${written} secret${written === 1 ? ' was' : 's were'} written before that.${restored.report.note ? ` ${restored.report.note}` : ''}`, { cause: raw });
  } finally {
    source.stop();
  }

  outcomes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const totalMs = Math.round(performance.now() - started);
  deps.audit.append({
    actor, event: 'recover.succeeded', target,
    details: {
      key: p.restore.key, totalMs, restoreMs,
      written: outcomes.filter((o) => o.status === 'written').map((o) => o.path),
      skipped: outcomes.filter((o) => o.status === 'skipped').map((o) => o.path),
    },
  });
  return {
    target, key: p.restore.key, outcomes, restoreMs, totalMs,
    ...(restored.report.safetySnapshotKey ? { safetySnapshotKey: restored.report.safetySnapshotKey } : {}),
    ...(restored.report.note ? { note: restored.report.note } : {}),
  };
}

async function recoverOne(deps: RecoverDeps, source: RecoverSource, mount: string, path: string, seen: number, actor: string, mountPath: string): Promise<PathOutcome> {
  const backupMeta = await source.kvMetadata(mount, path);
  if (!backupMeta) return { path, status: 'skipped', reason: 'not in the backup' };
  if (backupMeta.currentDeleted) return { path, status: 'skipped', reason: 'deleted in the backup' };
  const data = await source.kvReadVersion(mount, path, backupMeta.currentVersion);

  const now = await deps.production.kvMetadata(mount, path);
  const current = now?.currentVersion ?? 0;
  if (current !== seen) {
    return { path, status: 'skipped', reason: `changed in production since the request (version ${seen} then, ${current} now)` };
  }
  if (now && !now.currentDeleted) {
    const live = await deps.production.kvReadVersion(mount, path, current);
    if (isDeepStrictEqual(live, data)) return { path, status: 'skipped', reason: `unchanged: production version ${current} already holds the backup's data` };
  }
  try {
    const written = await deps.production.kvWrite(mount, path, data, seen);
    deps.audit.append({ actor, event: 'recover.secret-written', target: `${mountPath}${path}`, details: { from: seen, to: written.version } });
    return { path, status: 'written', from: seen, to: written.version };
  } catch (error) {
    if (isCoreError(error, ErrorCode.VaultBadRequest) && /check-and-set/i.test(error.message)) {
      return { path, status: 'skipped', reason: 'changed in production during the recovery (check-and-set refused the write)' };
    }
    throw error;
  }
}
