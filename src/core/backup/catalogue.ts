/**
 * @module backup/catalogue
 * What the bot knows about its backups, runs and restores, in SQLite. The store stays the truth
 * for which objects exist; the catalogue records what was verified, when, and how runs ended.
 */
import { formatDuration, formatWhen } from '../../format/human.js';
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { CoreError, ErrorCode } from '../errors.js';
import type { BackupKind } from '../notifier.js';

export interface CatalogueEntry {
  key: string;
  kind: BackupKind;
  store: string;
  createdAt: string;
  storedBytes: number;
  sha256: string;
  plainBytes: number;
  plainSha256: string;
  keyId: string;
  format: string;
  vaultVersion: string | null;
  auditHead: string | null;
  verifiedAt: string;
  deletedAt: string | null;
  /** The source cluster's id (sys/health cluster_id); null when unknown or recorded before it was kept. */
  cluster?: string | null;
}

export interface RunRow {
  id: number;
  owner: string | null;
  kind: string;
  key: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  step: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export type RestorePurpose = 'restore' | 'restore-test' | 'drill' | 'recover';

/** A restore whose process died while it ran: the target may hold the old data, the new, or neither. */
export interface InterruptedRestore {
  id: number;
  key: string;
  target: string;
  purpose: string;
  dryRun: boolean;
  startedAt: string;
  safetyKey: string | null;
}

interface RestoreRecord { id: number; key: string; target: string; purpose: string; dry_run: number; started_at: string; safety_key: string | null; owner: string | null }

interface RunRecord { id: number; owner: string | null; kind: string; key: string | null; status: RunRow['status']; step: string | null; error: string | null; started_at: string; finished_at: string | null }

const toRun = (r: RunRecord): RunRow => ({
  id: r.id, owner: r.owner, kind: r.kind, key: r.key, status: r.status, step: r.step, error: r.error,
  startedAt: r.started_at, finishedAt: r.finished_at,
});

export class BackupCatalogue {
  private readonly now: Clock;

  constructor(private readonly db: Database.Database, opts: { clock?: Clock } = {}) {
    this.now = opts.clock ?? systemClock;
  }

  /**
   * Claims the single backup slot for the lease `owner`; a second run while one is going is
   * refused, across processes.
   */
  startRun(kind: BackupKind, key: string, owner: string, opts: { staleAfterMs?: number } = {}): number {
    try {
      const info = this.db
        .prepare(`INSERT INTO backup_runs (kind, key, status, started_at, owner) VALUES (?, ?, 'running', ?, ?)`)
        .run(kind, key, this.now().toISOString(), owner);
      return Number(info.lastInsertRowid);
    } catch (error) {
      // Only the one-running index says "already running"; a locked or full database is itself the problem.
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw error;
      const running = this.runningRun();
      if (!running) throw error;
      throw new CoreError(ErrorCode.BackupRunning, this.alreadyRunning(running, opts.staleAfterMs), { cause: error });
    }
  }

  /**
   * Who holds the slot and until when it counts as alive: the requester (from the run's
   * `backup.started` audit row), when, the process and its last heartbeat — so "wait" after a
   * kill -9 says how long at most, instead of sounding like for ever.
   */
  private alreadyRunning(running: RunRow, staleAfterMs: number | undefined): string {
    const now = this.now();
    const quiet = <T>(read: () => T): T | undefined => {
      try {
        return read();
      } catch {
        return undefined;
      }
    };
    const started = running.key
      ? quiet(() => this.db.prepare(`SELECT actor FROM audit_log WHERE event = 'backup.started' AND target = ? ORDER BY id DESC LIMIT 1`).get(running.key) as { actor: string } | undefined)
      : undefined;
    const lease = running.owner
      ? quiet(() => this.db.prepare(`SELECT holder, heartbeat_at FROM run_leases WHERE token = ?`).get(running.owner) as { holder: string; heartbeat_at: string } | undefined)
      : undefined;
    const by = started ? ` by ${started.actor}` : '';
    const proc = lease ? ` in process ${lease.holder}, last heartbeat ${formatWhen(lease.heartbeat_at, now)}` : '';
    const bound = staleAfterMs !== undefined ? ` If that process was killed, the run is treated as dead ${formatDuration(staleAfterMs)} after its last heartbeat, reported as interrupted, and the next backup runs.` : '';
    return `A ${running.kind} backup is already running: started ${formatWhen(running.startedAt, now)}${by}${proc}. Wait for it to finish.${bound}`;
  }

  finishRun(id: number, outcome: { status: 'succeeded' } | { status: 'failed'; step: string; error: string }): void {
    this.db
      .prepare(`UPDATE backup_runs SET status = ?, step = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'`)
      .run(outcome.status, outcome.status === 'failed' ? outcome.step : null, outcome.status === 'failed' ? outcome.error : null, this.now().toISOString(), id);
  }

  runningRun(): RunRow | undefined {
    const row = this.db.prepare(`SELECT * FROM backup_runs WHERE status = 'running'`).get() as RunRecord | undefined;
    return row && toRun(row);
  }

  /**
   * Runs left 'running' by an owner that is gone (a crash, a kill: its lease is missing or stale)
   * become 'interrupted' so they are reported, not silently retried. Runs of live owners — the
   * bot's backup while a CLI command starts — are left alone. Only the rows this call changed are
   * returned, so two processes reaping at once report each dead run once.
   */
  markInterruptedRuns(isAlive: (owner: string | null) => boolean): { runs: RunRow[]; restores: InterruptedRestore[] } {
    const now = this.now().toISOString();
    const markRun = this.db.prepare(`UPDATE backup_runs SET status = 'interrupted', finished_at = ?, error = 'the process stopped during the run' WHERE id = ? AND status = 'running'`);
    const runs = (this.db.prepare(`SELECT * FROM backup_runs WHERE status = 'running'`).all() as RunRecord[])
      .filter((r) => !isAlive(r.owner) && markRun.run(now, r.id).changes === 1)
      .map(toRun);
    const markRestore = this.db.prepare(`UPDATE restores SET status = 'interrupted', finished_at = ?, error = 'the process stopped during the restore' WHERE id = ? AND status = 'running'`);
    const restores = (this.db.prepare(`SELECT id, key, target, purpose, dry_run, started_at, safety_key, owner FROM restores WHERE status = 'running'`).all() as RestoreRecord[])
      .filter((r) => !isAlive(r.owner) && markRestore.run(now, r.id).changes === 1)
      .map((r) => ({ id: r.id, key: r.key, target: r.target, purpose: r.purpose, dryRun: r.dry_run === 1, startedAt: r.started_at, safetyKey: r.safety_key }));
    return { runs, restores };
  }

  lastRun(): RunRow | undefined {
    const row = this.db.prepare(`SELECT * FROM backup_runs ORDER BY id DESC LIMIT 1`).get() as RunRecord | undefined;
    return row && toRun(row);
  }

  /** The newest run that failed or was interrupted, even if later runs succeeded (for `/vault status`). */
  lastFailedRun(): RunRow | undefined {
    const row = this.db.prepare(`SELECT * FROM backup_runs WHERE status IN ('failed', 'interrupted') ORDER BY id DESC LIMIT 1`).get() as RunRecord | undefined;
    return row && toRun(row);
  }

  record(entry: Omit<CatalogueEntry, 'deletedAt'>): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO backups (key, kind, store, created_at, stored_bytes, sha256, plain_bytes, plain_sha256, key_id, format, vault_version, audit_head, verified_at, deleted_at, cluster)
         VALUES (@key, @kind, @store, @createdAt, @storedBytes, @sha256, @plainBytes, @plainSha256, @keyId, @format, @vaultVersion, @auditHead, @verifiedAt, NULL, @cluster)`,
      )
      .run({ ...entry, cluster: entry.cluster ?? null });
  }

  markDeleted(key: string): void {
    this.db.prepare(`UPDATE backups SET deleted_at = ? WHERE key = ?`).run(this.now().toISOString(), key);
  }

  /** The newest verified backup that has not been deleted (pre-restore safety snapshots excluded). */
  newestVerified(): CatalogueEntry | undefined {
    return this.select(`WHERE deleted_at IS NULL AND kind != 'pre-restore' ORDER BY created_at DESC LIMIT 1`)[0];
  }

  /** The `audit-head` recorded with the newest catalogued backup (any kind, deleted ones too: they existed). */
  newestAuditHead(): { key: string; auditHead: string } | undefined {
    const row = this.db.prepare(`SELECT key, audit_head FROM backups WHERE audit_head IS NOT NULL ORDER BY created_at DESC, key DESC LIMIT 1`).get() as { key: string; audit_head: string } | undefined;
    return row && { key: row.key, auditHead: row.audit_head };
  }

  /** Newest successful backup of any kind other than pre-restore, for the backup-age check. */
  lastSuccessAt(): Date | undefined {
    const e = this.newestVerified();
    return e ? new Date(e.createdAt) : undefined;
  }

  get(key: string): CatalogueEntry | undefined {
    return this.select(`WHERE key = ?`, key)[0];
  }

  list(opts: { kind?: BackupKind; limit?: number } = {}): CatalogueEntry[] {
    const limit = opts.limit ?? 20;
    // Staging's own safety snapshots (under staging/) are never production backups: not listed here.
    return opts.kind
      ? this.select(`WHERE deleted_at IS NULL AND kind = ? AND key NOT LIKE 'staging/%' ORDER BY created_at DESC LIMIT ?`, opts.kind, limit)
      : this.select(`WHERE deleted_at IS NULL AND key NOT LIKE 'staging/%' ORDER BY created_at DESC LIMIT ?`, limit);
  }

  startRestore(r: { key: string; target: string; purpose: RestorePurpose; dryRun: boolean; owner: string }): number {
    const info = this.db
      .prepare(`INSERT INTO restores (key, target, purpose, dry_run, status, started_at, owner) VALUES (?, ?, ?, ?, 'running', ?, ?)`)
      .run(r.key, r.target, r.purpose, r.dryRun ? 1 : 0, this.now().toISOString(), r.owner);
    return Number(info.lastInsertRowid);
  }

  /** Records the safety snapshot as soon as it exists, so an interrupted restore can name it. */
  noteRestoreSafety(id: number, safetyKey: string): void {
    this.db.prepare(`UPDATE restores SET safety_key = ? WHERE id = ?`).run(safetyKey, id);
  }

  finishRestore(
    id: number,
    r: { status: 'succeeded' | 'failed'; step?: string; error?: string; safetyKey?: string; canary?: string; recoveryMs?: number },
  ): void {
    this.db
      .prepare(`UPDATE restores SET status = ?, step = ?, error = ?, safety_key = ?, canary = ?, recovery_ms = ?, finished_at = ? WHERE id = ?`)
      .run(r.status, r.step ?? null, r.error ?? null, r.safetyKey ?? null, r.canary ?? null, r.recoveryMs ?? null, this.now().toISOString(), id);
  }

  lastRestore(purpose: RestorePurpose): { status: string; recoveryMs: number | null; finishedAt: string | null; error: string | null } | undefined {
    const row = this.db
      .prepare(`SELECT status, recovery_ms, finished_at, error FROM restores WHERE purpose = ? AND dry_run = 0 ORDER BY id DESC LIMIT 1`)
      .get(purpose) as { status: string; recovery_ms: number | null; finished_at: string | null; error: string | null } | undefined;
    return row && { status: row.status, recoveryMs: row.recovery_ms, finishedAt: row.finished_at, error: row.error };
  }

  private select(where: string, ...args: unknown[]): CatalogueEntry[] {
    const rows = this.db.prepare(`SELECT * FROM backups ${where}`).all(...args) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      key: String(r.key), kind: r.kind as BackupKind, store: String(r.store), createdAt: String(r.created_at),
      storedBytes: Number(r.stored_bytes), sha256: String(r.sha256), plainBytes: Number(r.plain_bytes),
      plainSha256: String(r.plain_sha256), keyId: String(r.key_id), format: String(r.format),
      vaultVersion: (r.vault_version as string | null) ?? null, auditHead: (r.audit_head as string | null) ?? null,
      verifiedAt: String(r.verified_at), deletedAt: (r.deleted_at as string | null) ?? null, cluster: (r.cluster as string | null) ?? null,
    }));
  }
}
