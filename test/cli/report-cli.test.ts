/**
 * `vault-chatops report` over a seeded month: November 2025 with daily backups (two failed days and
 * one day with none), retention deletions, restore and recovery requests with their approvers,
 * drills, alerts with acknowledgement and resolution, and an audit log whose chain is then broken.
 * The counts must be right in every format, and the broken chain must be flagged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { openDatabase, type Database } from '../../src/core/db/index.js';
import { DrillStore } from '../../src/core/drills/index.js';
import type { ComplianceReport } from '../../src/core/report/index.js';
import { runCli } from './run-cli.js';

const AUDIT_KEY = 'report-test-audit-key-0123456789';
const FAILED_DAYS = new Set([10, 11]);
const NO_BACKUP_DAY = 20;

function at(day: number, time = '02:00:00'): string {
  return `2025-11-${String(day).padStart(2, '0')}T${time}.000Z`;
}

/** One month of activity, written the way the bot writes it (catalogue rows, audit log, approvals, drills, alerts). */
function seedMonth(db: Database): void {
  let now = new Date(at(1));
  const clock = () => now;
  const audit = new AuditLog(db, { key: AUDIT_KEY, clock });
  const run = db.prepare(`INSERT INTO backup_runs (kind, key, status, step, error, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const backup = db.prepare(
    `INSERT INTO backups (key, kind, store, created_at, stored_bytes, sha256, plain_bytes, plain_sha256, key_id, format, vault_version, audit_head, verified_at)
     VALUES (?, ?, 'file:///b', ?, ?, 'ab', ?, 'cd', 'k1', 'vcbk1', '1.19.0', ?, ?)`,
  );
  for (let day = 1; day <= 30; day += 1) {
    if (day === NO_BACKUP_DAY) continue;
    now = new Date(at(day));
    const key = `daily/2025-11-${String(day).padStart(2, '0')}/vault-snapshot-202511${String(day).padStart(2, '0')}-020000.enc`;
    if (FAILED_DAYS.has(day)) {
      run.run('daily', key, 'failed', 'upload', 'the store refused the upload', at(day), at(day, '02:01:00'));
      audit.append({ actor: 'system', event: 'backup.failed', target: key, details: { step: 'upload' } });
      continue;
    }
    run.run('daily', key, 'succeeded', null, null, at(day), at(day, '02:01:00'));
    const entry = audit.append({ actor: 'system', event: 'backup.succeeded', target: key, details: {} });
    backup.run(key, 'daily', at(day), 1000 * day, 900 * day, `${entry.id}:${entry.hash}`, at(day, '02:01:00'));
  }
  // A monthly backup on the 1st and a pre-restore snapshot: the first counts, the second never does.
  run.run('monthly', 'monthly/2025-11/vault-snapshot-20251101-020500.enc', 'succeeded', null, null, at(1, '02:05:00'), at(1, '02:06:00'));
  backup.run('monthly/2025-11/vault-snapshot-20251101-020500.enc', 'monthly', at(1, '02:05:00'), 5000, 4000, null, at(1, '02:06:00'));
  run.run('pre-restore', 'pre-restore/2025-11-15/x.enc', 'succeeded', null, null, at(15, '09:00:00'), at(15, '09:01:00'));
  backup.run('pre-restore/2025-11-15/x.enc', 'pre-restore', at(15, '09:00:00'), 7777, 7000, null, at(15, '09:01:00'));
  // Retention deletions.
  now = new Date(at(3, '02:02:00'));
  for (const key of ['daily/2025-10-01/a.enc', 'daily/2025-10-02/b.enc', 'daily/2025-10-03/c.enc']) audit.append({ actor: 'system', event: 'backup.deleted', target: key, details: {} });
  // Restore and recovery requests with their approvers; one denied restore without approvers.
  const request = db.prepare(
    `INSERT INTO approval_requests (id, action, params_json, params_sha256, facts_json, requester, team_id, state, threshold, created_at, expires_at, result_json)
     VALUES (?, ?, '{}', ?, ?, ?, 'T0', ?, 2, ?, ?, ?)`,
  );
  const vote = db.prepare(`INSERT INTO approval_votes (request_id, user_id, decision, at) VALUES (?, ?, ?, ?)`);
  const sha = 'a'.repeat(64);
  request.run('req_restore1', 'restore', sha, JSON.stringify([{ label: 'Backup', value: 'daily/2025-11-14/x.enc' }]), 'U0ALICE', 'succeeded', at(15, '09:00:00'), at(15, '09:30:00'), JSON.stringify({ ok: true, summary: 'Restored', facts: [], durationMs: 41_000 }));
  vote.run('req_restore1', 'U0BOB', 'approve', at(15, '09:02:00'));
  vote.run('req_restore1', 'U0CAROL', 'approve', at(15, '09:03:00'));
  request.run('req_recover1', 'recover', sha, JSON.stringify([{ label: 'Secret', value: 'secret/smtp' }, { label: 'Backup', value: 'daily/2025-11-21/y.enc' }]), 'U0DAVE', 'succeeded', at(22, '10:00:00'), at(22, '10:30:00'), JSON.stringify({ ok: true, summary: 'Recovered 1 of 1 secret', facts: [], durationMs: 12_000 }));
  vote.run('req_recover1', 'U0ALICE', 'approve', at(22, '10:01:00'));
  vote.run('req_recover1', 'U0BOB', 'approve', at(22, '10:02:00'));
  request.run('req_restore2', 'restore', sha, '[]', 'U0CAROL', 'denied', at(25, '11:00:00'), at(25, '11:30:00'), null);
  vote.run('req_restore2', 'U0BOB', 'deny', at(25, '11:01:00'));
  request.run('req_rotate1', 'rotate-secret', sha, JSON.stringify([{ label: 'Path', value: 'secret/app' }]), 'U0BOB', 'succeeded', at(26, '12:00:00'), at(26, '12:30:00'), JSON.stringify({ ok: true, summary: 'Rotated', facts: [], durationMs: 900 }));
  vote.run('req_rotate1', 'U0ALICE', 'approve', at(26, '12:01:00'));
  // A request from October stays out of the November report.
  request.run('req_old', 'restore', sha, '[]', 'U0ALICE', 'succeeded', '2025-10-30T09:00:00.000Z', '2025-10-30T09:30:00.000Z', null);
  // Drills: one met, one failed.
  const drills = new DrillStore(db, { clock });
  now = new Date(at(5, '04:00:00'));
  const d1 = drills.start({ scenario: 'restore-test', trigger: 'schedule', actor: 'system', target: 'http://staging', targetMs: 7_200_000 });
  drills.finish(d1.id, { status: 'passed', durationMs: 95_000, met: true, steps: [{ name: 'restore', ms: 95_000, ok: true }], failures: [], summary: 'Drill restore-test passed' });
  now = new Date(at(12, '04:00:00'));
  const d2 = drills.start({ scenario: 'backup-integrity', trigger: 'slack', actor: 'U0ALICE', target: 'http://staging', targetMs: null });
  drills.finish(d2.id, { status: 'failed', durationMs: 5_000, met: null, steps: [], failures: ['daily/2025-11-09/z.enc: sha256 differs'], summary: 'Drill backup-integrity failed (1 failure)' });
  // Alerts: acknowledged after 4 min and resolved after 30 min; one still firing.
  const alert = db.prepare(`INSERT INTO alerts (key, scope, severity, state, summary, fired_at, acked_by, acked_at, resolved_at) VALUES (?, '', ?, ?, ?, ?, ?, ?, ?)`);
  alert.run('vault_sealed', 'critical', 'resolved', 'Vault is sealed', at(18, '03:00:00'), 'U0BOB', at(18, '03:04:00'), at(18, '03:30:00'));
  alert.run('backup_failed', 'high', 'firing', 'The daily backup failed', at(28, '02:05:00'), null, null, null);
  // A break-glass restore from the CLI (no approvals), and a dry run that is not a restore.
  now = new Date(at(27, '08:00:00'));
  audit.append({ actor: 'cli:erin@bastion-1', event: 'restore.started', target: 'daily/2025-11-26/w.enc', details: { dryRun: false, target: 'prod' } });
  audit.append({ actor: 'cli:erin@bastion-1', event: 'restore.succeeded', target: 'daily/2025-11-26/w.enc', details: { recoveryMs: 52_000, canary: 'ok', dryRun: false } });
  audit.append({ actor: 'cli:erin@bastion-1', event: 'restore.started', target: 'daily/2025-11-26/w.enc', details: { dryRun: true, target: 'prod' } });
  now = new Date(at(30, '12:00:00'));
  audit.append({ actor: 'system', event: 'restore-test.succeeded', target: 'x', details: {} });
}

describe('vault-chatops report', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vc-report-'));
    env = { DATA_DIR: dataDir, AUDIT_KEY };
    const db = openDatabase(dataDir);
    seedMonth(db);
    db.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('counts a seeded month right, in JSON', async () => {
    const run = await runCli(['report', '--from', '2025-11-01', '--to', '2025-11-30', '--format', 'json'], env);
    expect(run.errLines.filter((l) => !l.includes('warning'))).toEqual([]);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as ComplianceReport;
    expect(r.days).toHaveLength(30);
    // 30 days: 27 daily successes, 2 failures, 1 day without a run; plus the monthly backup. Pre-restore excluded.
    expect(r.totals).toMatchObject({ taken: 30, verified: 28, failed: 2 });
    expect(r.days.find((d) => d.date === '2025-11-01')).toMatchObject({ taken: 2, verified: 2, failed: 0 });
    expect(r.days.find((d) => d.date === '2025-11-10')).toMatchObject({ taken: 1, verified: 0, failed: 1 });
    expect(r.days.find((d) => d.date === '2025-11-20')).toMatchObject({ taken: 0, verified: 0, failed: 0 });
    expect(r.longestGap).toMatchObject({ from: at(9), to: at(12), hours: 72 });
    expect(r.retentionDeletions.map((d) => d.key)).toEqual(['daily/2025-10-01/a.enc', 'daily/2025-10-02/b.enc', 'daily/2025-10-03/c.enc']);
    expect(r.restores.map((g) => [g.requestId, g.action, g.requester, g.approvers, g.state])).toEqual([
      ['req_restore1', 'restore', 'U0ALICE', ['U0BOB', 'U0CAROL'], 'succeeded'],
      ['req_recover1', 'recover', 'U0DAVE', ['U0ALICE', 'U0BOB'], 'succeeded'],
      ['req_restore2', 'restore', 'U0CAROL', [], 'denied'],
      ['(CLI)', 'restore', 'cli:erin@bastion-1', [], 'succeeded'],
    ]);
    expect(r.restores[3]).toMatchObject({ subject: 'daily/2025-11-26/w.enc', durationMs: 52_000, outcome: 'succeeded (CLI, no approvals)' });
    expect(r.restores[1]?.subject).toBe('secret/smtp (daily/2025-11-21/y.enc)');
    expect(r.rotations.map((g) => [g.requestId, g.approvers])).toEqual([['req_rotate1', ['U0ALICE']]]);
    expect(r.drills.map((d) => [d.scenario, d.status, d.met])).toEqual([['restore-test', 'passed', true], ['backup-integrity', 'failed', null]]);
    expect(r.alerts).toEqual([
      expect.objectContaining({ key: 'vault_sealed', ackedBy: 'U0BOB', timeToAckMs: 240_000, timeToResolveMs: 1_800_000 }),
      expect.objectContaining({ key: 'backup_failed', ackedBy: null, timeToAckMs: null, timeToResolveMs: null }),
    ]);
    expect(r.audit.ok).toBe(true);
    expect(r.audit.headComparison).toMatch(/holds row \d+ of the newest backup's audit-head unchanged/);
  });

  it('renders Markdown with the per-day chart and CSV with one row per fact', async () => {
    const md = await runCli(['report', '--from', '2025-11-01', '--to', '2025-11-30'], env);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# Vault compliance report 2025-11-01 – 2025-11-30');
    expect(md.stdout).toContain('- Chain: **verifies**');
    expect(md.stdout).toContain('- Taken: 30 · verified: 28 · failed: 2');
    expect(md.stdout).toContain('- Longest gap between successful backups: 72 h');
    const chart = md.stdout.split('\n').find((l) => l.startsWith('2025-11-01 ')) ?? '';
    const line = chart.split(' ')[1] ?? '';
    expect([...line]).toHaveLength(30);
    expect([...line][9]).toBe('×');
    expect([...line][19]).toBe('·');
    expect(md.stdout).toContain('| req_restore1 | restore | daily/2025-11-14/x.enc | U0ALICE | U0BOB, U0CAROL | succeeded | 41.0 s |');
    expect(md.stdout).toMatch(/\| vault_sealed \| critical \| U0BOB \| 4 min 00 s \| 30 min 00 s \|/);

    const csv = await runCli(['report', '--from', '2025-11-01', '--to', '2025-11-30', '--format', 'csv'], env);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe('section,time,subject,actor,approvers,outcome,duration_ms,detail');
    expect(rows.filter((r) => r.startsWith('backups-day,'))).toHaveLength(30);
    expect(rows.filter((r) => r.startsWith('retention-deletion,'))).toHaveLength(3);
    expect(rows.find((r) => r.startsWith('recover,'))).toContain('U0DAVE,U0ALICE U0BOB,succeeded,12000');
  });

  it('flags an audit chain that does not verify, and exits 1', async () => {
    const db = openDatabase(dataDir);
    // Someone with write access to the database file rewrites history around the triggers.
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(`UPDATE audit_log SET details = '{"step":"none"}' WHERE event = 'backup.failed'`).run();
    db.close();
    const run = await runCli(['report', '--from', '2025-11-01', '--to', '2025-11-30'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('- Chain: **DOES NOT VERIFY**');
    expect(run.stdout).toMatch(/first break at row \d+/);
    const json = JSON.parse((await runCli(['report', '--from', '2025-11-01', '--to', '2025-11-30', '--format', 'json'], env)).stdout) as ComplianceReport;
    expect(json.audit.ok).toBe(false);
  });

  it('flags newest audit rows deleted since the newest backup, against its audit-head', async () => {
    const db = openDatabase(dataDir);
    const anchorId = Number((db.prepare(`SELECT audit_head FROM backups WHERE kind = 'daily' ORDER BY created_at DESC LIMIT 1`).get() as { audit_head: string }).audit_head.split(':')[0]);
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE id >= ?').run(anchorId);
    db.close();
    const run = await runCli(['report', '--from', '2025-11-01', '--to', '2025-11-30', '--format', 'json'], env);
    expect(run.code).toBe(1);
    const r = JSON.parse(run.stdout) as ComplianceReport;
    expect(r.audit.ok).toBe(false);
    expect(r.audit.headComparison).toMatch(/^does NOT match the newest backup's audit-head/);
    expect(r.audit.newestBackupHead).toMatch(new RegExp(`^${anchorId}:[0-9a-f]{64}$`));
  });

  it('refuses bad input with the form, exit 2', async () => {
    const bad = await runCli(['report', '--from', '2025-11-31x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"2025-11-31x" is not a date');
    for (const day of ['2026-13-01', '2025-02-30']) {
      const notACalendarDate = await runCli(['report', '--from', day], env);
      expect(notACalendarDate.code).toBe(2);
      expect(notACalendarDate.errLines).toEqual([expect.stringContaining(`"${day}" is not a calendar date; use YYYY-MM-DD`)]);
    }
    const order = await runCli(['report', '--from', '2025-11-30', '--to', '2025-11-01'], env);
    expect(order.code).toBe(2);
    const format = await runCli(['report', '--format', 'pdf'], env);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be md, csv or json');
  });
});
