/**
 * @module bot/blocks/status-message
 * `/vault status`: Vault now (reachable, sealed, leader, version, latency), every health check with
 * its state and since when, what is firing, the last good backup and its age, the last failed
 * backup attempt, a running backup, and the last restore test.
 */
import { formatDuration } from '../../core/actions/format-duration.js';
import type { AlertView, CheckRecord } from '../../core/alerts/index.js';
import type { CatalogueEntry, RunRow } from '../../core/backup/catalogue.js';
import { formatBytes } from '../../core/restore/restore-plan.js';
import type { VaultHealth, VaultLeader } from '../../core/vault/types.js';
import { code, escapeText, mention, safeText } from '../text.js';
import { formatElapsed } from './alert-message.js';
import { context, fieldSections, section, type Block, type SlackMessage } from './kit.js';

export interface StatusFacts {
  address: string;
  vault: { reachable: true; health: VaultHealth; leader?: VaultLeader } | { reachable: false; reason: string };
  lastBackup?: CatalogueEntry;
  lastBackupAgeHours?: number;
  maxAgeHours: number;
  /** The newest failed or interrupted run, even when later runs succeeded. */
  lastFailedRun?: RunRow;
  runningRun?: RunRow;
  lastRestoreTest?: { status: string; recoveryMs: number | null; finishedAt: string | null; error: string | null };
  pendingRequests: number;
  /** Health checks in display order, as last recorded; empty before the first round. */
  checks: readonly CheckRecord[];
  firing: readonly AlertView[];
  now: Date;
  /** Ops-channel notifications given up on during a Slack outage (issue 7 item 3). */
  undelivered?: { count: number; latest: ReadonlyArray<{ summary: string; failedAt: string }> };
}

const CHECK_LABELS: Record<string, string> = {
  reachable: 'Reachable', initialised: 'Initialised', sealed: 'Unsealed', leader: 'Active leader', raft: 'Raft autopilot',
  latency: 'Latency', backup_age: 'Backup age', last_backup: 'Last backup run', restore_test: 'Restore test', store: 'Backup store',
};
const STATE_ICON = { pass: ':large_green_circle:', fail: ':red_circle:', skip: ':white_circle:' } as const;
const ALERT_ICON = { critical: ':rotating_light:', high: ':warning:', medium: ':large_yellow_circle:' } as const;

export function renderStatus(f: StatusFacts): SlackMessage {
  const vaultLine = f.vault.reachable ? vaultSummary(f.vault.health) : `:red_circle: unreachable — ${safeText(f.vault.reason, 500)}`;
  const pairs = [
    { label: 'Vault', value: `${vaultLine}\n${code(f.address, 200)}` },
    { label: 'Leader', value: f.vault.reachable ? leaderText(f.vault.leader) : 'unknown' },
    { label: 'Last backup', value: backupText(f) },
    { label: 'Last restore test', value: restoreTestText(f.lastRestoreTest) },
    { label: 'Last failed backup', value: f.lastFailedRun ? failedRunText(f.lastFailedRun) : 'none' },
    { label: 'Pending approvals', value: String(f.pendingRequests) },
  ];
  if (f.undelivered) {
    const latest = f.undelivered.latest.map((n) => `${escapeText(n.failedAt.slice(0, 16).replace('T', ' '))} UTC ${safeText(n.summary, 200)}`).join('\n');
    pairs.push({ label: 'Undelivered notifications', value: `:warning: ${f.undelivered.count} could not be posted (Slack unreachable)\n${latest}` });
  }
  if (f.runningRun) pairs.push({ label: 'Running backup', value: `:hourglass_flowing_sand: ${escapeText(f.runningRun.kind)} since ${escapeText(f.runningRun.startedAt.slice(11, 19))} UTC` });
  const bad = !f.vault.reachable || f.vault.health.sealed || f.firing.length > 0;
  const headline = bad ? ':rotating_light: Vault status' : 'Vault status';
  const blocks: Block[] = [section(`*${headline}*`), ...fieldSections(pairs)];
  blocks.push(section(`*Firing*\n${firingText(f)}`));
  blocks.push(section(`*Health checks*\n${checksText(f)}`));
  if (f.checks.length > 0) blocks.push(context(`Last round ${utc(latest(f.checks))}. \`/vault alerts\` lists firing and resolved alerts.`));
  const state = f.vault.reachable ? f.vault.health.state : 'unreachable';
  return { text: `${headline}: ${state}${f.firing.length > 0 ? `, ${f.firing.length} alert(s) firing` : ''}`, blocks };
}

function checksText(f: StatusFacts): string {
  if (f.checks.length === 0) return 'No health round has run yet.';
  return f.checks
    .map((c) => `${STATE_ICON[c.state]} ${CHECK_LABELS[c.name] ?? escapeText(c.name)} · ${c.state === 'pass' ? 'ok' : c.state === 'fail' ? '*failing*' : 'not judged'} since ${utc(c.since)} — ${safeText(c.detail, 200)}`)
    .join('\n');
}

function firingText(f: StatusFacts): string {
  if (f.firing.length === 0) return ':large_green_circle: nothing';
  return f.firing
    .map((a) => `${ALERT_ICON[a.severity]} ${escapeText(a.title)} (${a.severity}) · ${formatElapsed(f.now.getTime() - a.firedAt.getTime())}${a.ackedBy ? ` · acknowledged by ${mention(a.ackedBy)}` : ' · not acknowledged'}`)
    .join('\n');
}

function vaultSummary(h: VaultHealth): string {
  const icon = h.sealed || !h.initialized ? ':red_circle:' : ':large_green_circle:';
  // The role already says "sealed" or "uninitialized" when it is one; say "unsealed" only beside a serving role.
  const role = h.state === 'sealed' || h.state === 'uninitialized' ? h.state : `${h.state}, ${h.sealed ? 'sealed' : 'unsealed'}`;
  return `${icon} ${escapeText(role)}, v${escapeText(h.version)} · ${h.latencyMs} ms`;
}

function leaderText(leader: VaultLeader | undefined): string {
  if (!leader) return 'unknown';
  if (!leader.haEnabled) return 'single node (HA off)';
  if (!leader.leaderAddress) return ':red_circle: no active leader';
  return `${leader.isSelf ? 'this node' : code(leader.leaderAddress, 200)}`;
}

function backupText(f: StatusFacts): string {
  const b = f.lastBackup;
  if (!b) return ':red_circle: none yet';
  const age = f.lastBackupAgeHours ?? 0;
  const icon = age > f.maxAgeHours ? ':red_circle:' : ':large_green_circle:';
  return `${icon} ${code(b.key, 300)}\n${formatBytes(b.storedBytes)} · ${ageText(age)} ago`;
}

function failedRunText(r: RunRow): string {
  const when = escapeText((r.finishedAt ?? r.startedAt).slice(0, 16).replace('T', ' '));
  const why = r.status === 'interrupted' ? 'interrupted' : `failed at ${escapeText(r.step ?? '?')}`;
  return `:x: ${escapeText(r.kind)} ${why} · ${when} UTC${r.error ? `\n${safeText(r.error, 300)}` : ''}`;
}

function restoreTestText(t: StatusFacts['lastRestoreTest']): string {
  if (!t) return 'never run';
  const when = t.finishedAt ? ` · ${escapeText(t.finishedAt.slice(0, 16).replace('T', ' '))} UTC` : '';
  if (t.status === 'succeeded') return `:large_green_circle: passed in ${formatDuration(t.recoveryMs ?? 0)}${when}`;
  return `:red_circle: ${escapeText(t.status)}${t.error ? `: ${safeText(t.error, 300)}` : ''}${when}`;
}

function ageText(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${Math.floor(hours / 24)} days`;
}

function latest(checks: readonly CheckRecord[]): Date {
  return new Date(Math.max(...checks.map((c) => c.checkedAt.getTime())));
}

function utc(d: Date): string {
  return `${d.toISOString().slice(5, 16).replace('T', ' ')} UTC`;
}
