/**
 * @module report/build-report
 * The compliance report for a date range (DESIGN §14), read from the catalogue, the approval
 * records, the drill history, the alerts table (when alerting is installed; else the audit log's
 * `alert.*` events are counted) and the audit log, whose chain is verified and whose head is
 * compared with the newest backup's `audit-head`. Read-only: building a report changes nothing.
 */
import type Database from 'better-sqlite3';
import { parseAuditHead, formatAuditHead } from '../audit/anchor.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditHead } from '../audit/types.js';
import type { DrillReport } from '../drills/types.js';
import { CoreError, ErrorCode } from '../errors.js';

export interface ReportRange {
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  from: string;
  to: string;
}

export interface DayRow {
  date: string;
  /** Backup runs started that day (scheduled and manual; pre-restore safety snapshots excluded). */
  taken: number;
  /** Of those, verified after upload and catalogued. */
  verified: number;
  /** Failed or interrupted. */
  failed: number;
  /** Stored bytes of the backups verified that day. */
  bytes: number;
}

export interface GatedRun {
  requestId: string;
  action: string;
  createdAt: string;
  requester: string;
  approvers: string[];
  state: string;
  /** What was approved, e.g. the backup key or the path. */
  subject: string;
  durationMs: number | null;
  outcome: string;
}

export interface AlertRow {
  key: string;
  severity: string;
  summary: string;
  firedAt: string;
  ackedBy: string | null;
  timeToAckMs: number | null;
  timeToResolveMs: number | null;
}

export interface AuditState {
  ok: boolean;
  rowsChecked: number;
  head: string;
  firstBroken: string | null;
  /** The newest backup's `audit-head`, and whether the log still holds that row unchanged. */
  newestBackupHead: string | null;
  newestBackupKey: string | null;
  headComparison: string;
}

export interface ComplianceReport {
  range: ReportRange;
  generatedAt: string;
  days: DayRow[];
  totals: { taken: number; verified: number; failed: number; bytes: number };
  /** The longest stretch without a successful backup inside the range (edges included). */
  longestGap: { from: string; to: string; hours: number } | null;
  retentionDeletions: Array<{ time: string; key: string; actor: string }>;
  restores: GatedRun[];
  drills: DrillReport[];
  alerts: AlertRow[] | null;
  alertEventsFromAudit: number;
  rotations: GatedRun[];
  audit: AuditState;
}

export interface ReportSources {
  db: Database.Database;
  audit: Pick<AuditLog, 'verify'>;
  drills: { between(fromIso: string, toIso: string): DrillReport[] };
  now: () => Date;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The last 30 days (today included) unless given. Rejects a bad or reversed range in one sentence. */
export function resolveRange(now: Date, from?: string, to?: string): ReportRange {
  for (const d of [from, to]) {
    if (d !== undefined && (!DATE.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d)) {
      throw new CoreError(ErrorCode.InvalidInput, `"${d.slice(0, 20)}" is not a date; use YYYY-MM-DD, e.g. 2025-11-01.`);
    }
  }
  const end = to ?? now.toISOString().slice(0, 10);
  const start = from ?? new Date(Date.parse(`${end}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  if (start > end) throw new CoreError(ErrorCode.InvalidInput, `The report starts ${start}, after it ends (${end}); give the earlier date first.`);
  return { from: start, to: end };
}

export function buildReport(src: ReportSources, range: ReportRange): ComplianceReport {
  const fromIso = `${range.from}T00:00:00.000Z`;
  const toIso = new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS).toISOString();
  const now = src.now();
  const days = dayRows(src.db, fromIso, toIso);
  const totals = days.reduce((t, d) => ({ taken: t.taken + d.taken, verified: t.verified + d.verified, failed: t.failed + d.failed, bytes: t.bytes + d.bytes }), { taken: 0, verified: 0, failed: 0, bytes: 0 });
  const alerts = alertRows(src.db, fromIso, toIso);
  return {
    range,
    generatedAt: now.toISOString(),
    days,
    totals,
    longestGap: longestGap(src.db, fromIso, toIso < now.toISOString() ? toIso : now.toISOString()),
    retentionDeletions: (src.db
      .prepare(`SELECT time, target, actor FROM audit_log WHERE event = 'backup.deleted' AND time >= ? AND time < ? ORDER BY id`)
      .all(fromIso, toIso) as Array<{ time: string; target: string | null; actor: string }>).map((r) => ({ time: r.time, key: r.target ?? '', actor: r.actor })),
    restores: [...gatedRuns(src.db, ['restore', 'recover'], fromIso, toIso), ...cliRuns(src.db, fromIso, toIso)].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)),
    drills: src.drills.between(fromIso, toIso),
    alerts,
    alertEventsFromAudit: alerts === null ? (src.db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE event LIKE 'alert.%' AND time >= ? AND time < ?`).get(fromIso, toIso) as { n: number }).n : 0,
    rotations: gatedRuns(src.db, ['rotate', 'rotate-secret', 'rotate-backup-key', 'rotate-unseal-keys'], fromIso, toIso),
    audit: auditState(src),
  };
}

function dayRows(db: Database.Database, fromIso: string, toIso: string): DayRow[] {
  const rows = new Map<string, DayRow>();
  for (let t = Date.parse(fromIso); t < Date.parse(toIso); t += DAY_MS) {
    const date = new Date(t).toISOString().slice(0, 10);
    rows.set(date, { date, taken: 0, verified: 0, failed: 0, bytes: 0 });
  }
  const runs = db
    .prepare(`SELECT substr(started_at, 1, 10) AS day, status, COUNT(*) AS n FROM backup_runs WHERE kind != 'pre-restore' AND started_at >= ? AND started_at < ? GROUP BY day, status`)
    .all(fromIso, toIso) as Array<{ day: string; status: string; n: number }>;
  for (const r of runs) {
    const row = rows.get(r.day);
    if (!row) continue;
    row.taken += r.n;
    if (r.status === 'failed' || r.status === 'interrupted') row.failed += r.n;
  }
  const verified = db
    .prepare(`SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n, SUM(stored_bytes) AS bytes FROM backups WHERE kind != 'pre-restore' AND created_at >= ? AND created_at < ? GROUP BY day`)
    .all(fromIso, toIso) as Array<{ day: string; n: number; bytes: number }>;
  for (const v of verified) {
    const row = rows.get(v.day);
    if (!row) continue;
    row.verified = v.n;
    row.bytes = v.bytes;
  }
  return [...rows.values()];
}

/** The longest time without a successful backup between the range's start and its end (or now). */
function longestGap(db: Database.Database, fromIso: string, endIso: string): ComplianceReport['longestGap'] {
  if (endIso <= fromIso) return null;
  const times = (db
    .prepare(`SELECT created_at FROM backups WHERE kind != 'pre-restore' AND created_at >= ? AND created_at < ? ORDER BY created_at`)
    .all(fromIso, endIso) as Array<{ created_at: string }>).map((r) => r.created_at);
  const before = db.prepare(`SELECT MAX(created_at) AS t FROM backups WHERE kind != 'pre-restore' AND created_at < ?`).get(fromIso) as { t: string | null };
  const points = [before.t ?? fromIso, ...times, endIso];
  let best: ComplianceReport['longestGap'] = null;
  for (let i = 1; i < points.length; i += 1) {
    const a = points[i - 1] as string;
    const b = points[i] as string;
    const hours = (Date.parse(b) - Date.parse(a)) / 3_600_000;
    if (!best || hours > best.hours) best = { from: a, to: b, hours: Math.round(hours * 10) / 10 };
  }
  return best;
}

function gatedRuns(db: Database.Database, actions: string[], fromIso: string, toIso: string): GatedRun[] {
  const marks = actions.map(() => '?').join(', ');
  const rows = db
    .prepare(`SELECT id, action, created_at, requester, state, facts_json, result_json FROM approval_requests WHERE action IN (${marks}) AND created_at >= ? AND created_at < ? ORDER BY created_at, id`)
    .all(...actions, fromIso, toIso) as Array<{ id: string; action: string; created_at: string; requester: string; state: string; facts_json: string; result_json: string | null }>;
  const votes = db.prepare(`SELECT user_id FROM approval_votes WHERE request_id = ? AND decision = 'approve' ORDER BY at, user_id`);
  return rows.map((r) => {
    const facts = JSON.parse(r.facts_json) as Array<{ label: string; value: string }>;
    const result = r.result_json ? (JSON.parse(r.result_json) as { ok: boolean; summary?: string; message?: string; durationMs?: number }) : null;
    const backup = facts.find((f) => f.label === 'Backup');
    const secret = facts.find((f) => ['Secret', 'Secrets', 'Path'].includes(f.label));
    return {
      requestId: r.id,
      action: r.action,
      createdAt: r.created_at,
      requester: r.requester,
      approvers: (votes.all(r.id) as Array<{ user_id: string }>).map((v) => v.user_id),
      state: r.state,
      subject: secret && backup ? `${secret.value} (${backup.value})` : (secret ?? backup)?.value ?? '',
      durationMs: result?.durationMs ?? null,
      outcome: result ? (result.ok ? (result.summary ?? 'succeeded') : (result.message ?? 'failed')) : r.state,
    };
  });
}

/**
 * Restores and recoveries run from the CLI (break-glass, no approvals): from the audit log, where
 * the CLI records the person as `cli:<user>@<host>`. Dry runs are not restores; a recovery's inner
 * staging restore is part of the recovery, not a restore of its own.
 */
function cliRuns(db: Database.Database, fromIso: string, toIso: string): GatedRun[] {
  const started = db
    .prepare(`SELECT id, time, actor, event, target, details FROM audit_log WHERE actor LIKE 'cli:%' AND event IN ('restore.started', 'recover.started') AND time >= ? AND time < ? ORDER BY id`)
    .all(fromIso, toIso) as Array<{ id: number; time: string; actor: string; event: string; target: string | null; details: string }>;
  const ended = db.prepare(`SELECT event, details FROM audit_log WHERE id > ? AND actor = ? AND target IS ? AND event IN (?, ?) ORDER BY id LIMIT 1`);
  const runs: GatedRun[] = [];
  for (const r of started) {
    const details = JSON.parse(r.details) as Record<string, unknown>;
    const action = r.event.split('.')[0] as string;
    if (action === 'restore' && details.dryRun === true) continue;
    if (action === 'recover' && !('paths' in details)) continue;
    const end = ended.get(r.id, r.actor, r.target, `${action}.succeeded`, `${action}.failed`) as { event: string; details: string } | undefined;
    const endDetails = end ? (JSON.parse(end.details) as Record<string, unknown>) : {};
    const ms = Number(endDetails.recoveryMs ?? endDetails.totalMs);
    const state = end ? (end.event.endsWith('succeeded') ? 'succeeded' : 'failed') : 'no outcome recorded';
    runs.push({
      requestId: '(CLI)', action, createdAt: r.time, requester: r.actor, approvers: [], state,
      subject: action === 'recover' ? `${r.target ?? ''} (${String(details.key ?? '')})` : (r.target ?? ''),
      durationMs: Number.isFinite(ms) ? ms : null,
      outcome: end ? (state === 'failed' ? String(endDetails.reason ?? 'failed') : 'succeeded (CLI, no approvals)') : state,
    });
  }
  return runs;
}

function alertRows(db: Database.Database, fromIso: string, toIso: string): AlertRow[] | null {
  const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alerts'`).get();
  if (!table) return null;
  const rows = db
    .prepare(`SELECT key, severity, summary, fired_at, acked_by, acked_at, resolved_at FROM alerts WHERE fired_at >= ? AND fired_at < ? ORDER BY fired_at, id`)
    .all(fromIso, toIso) as Array<{ key: string; severity: string; summary: string; fired_at: string; acked_by: string | null; acked_at: string | null; resolved_at: string | null }>;
  const since = (a: string, b: string | null): number | null => (b ? Date.parse(b) - Date.parse(a) : null);
  return rows.map((r) => ({
    key: r.key, severity: r.severity, summary: r.summary, firedAt: r.fired_at, ackedBy: r.acked_by,
    timeToAckMs: since(r.fired_at, r.acked_at), timeToResolveMs: since(r.fired_at, r.resolved_at),
  }));
}

function auditState(src: ReportSources): AuditState {
  const whole = src.audit.verify();
  const newest = src.db
    .prepare(`SELECT key, audit_head FROM backups WHERE kind != 'pre-restore' AND audit_head IS NOT NULL ORDER BY created_at DESC LIMIT 1`)
    .get() as { key: string; audit_head: string } | undefined;
  const base = {
    ok: whole.ok,
    rowsChecked: whole.checked,
    head: formatAuditHead(whole.head),
    firstBroken: whole.firstBroken ? `row ${whole.firstBroken.id}: ${whole.firstBroken.detail}` : null,
    newestBackupHead: newest?.audit_head ?? null,
    newestBackupKey: newest?.key ?? null,
  };
  if (!newest) return { ...base, headComparison: 'no backup records an audit-head yet' };
  let anchor: AuditHead;
  try {
    anchor = parseAuditHead(newest.audit_head);
  } catch {
    return { ...base, headComparison: `the newest backup's audit-head (${newest.audit_head.slice(0, 40)}) is not in the <id>:<hash> form` };
  }
  const anchored = src.audit.verify({ anchor });
  const headComparison = anchored.ok
    ? `the log holds row ${anchor.id} of the newest backup's audit-head unchanged, and ${whole.head.id - anchor.id} row${whole.head.id - anchor.id === 1 ? '' : 's'} after it`
    : `does NOT match the newest backup's audit-head (${anchored.firstBroken?.detail ?? 'unknown reason'})`;
  return { ...base, ok: whole.ok && anchored.ok, headComparison };
}
