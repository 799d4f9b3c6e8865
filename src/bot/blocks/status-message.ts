/**
 * @module bot/blocks/status-message
 * `/vault status`: Vault (reachable, sealed, leader, version, latency), the last good backup and
 * its age, the last backup run when it failed, and the last restore test.
 */
import { formatDuration } from '../../core/actions/format-duration.js';
import type { CatalogueEntry, RunRow } from '../../core/backup/catalogue.js';
import { formatBytes } from '../../core/restore/restore-plan.js';
import type { VaultHealth, VaultLeader } from '../../core/vault/types.js';
import { code, escapeText, safeText } from '../text.js';
import { fieldSections, section, type SlackMessage } from './kit.js';

export interface StatusFacts {
  address: string;
  vault: { reachable: true; health: VaultHealth; leader?: VaultLeader } | { reachable: false; reason: string };
  lastBackup?: CatalogueEntry;
  lastBackupAgeHours?: number;
  maxAgeHours: number;
  lastRun?: RunRow;
  lastRestoreTest?: { status: string; recoveryMs: number | null; finishedAt: string | null; error: string | null };
  pendingRequests: number;
}

export function renderStatus(f: StatusFacts): SlackMessage {
  const vaultLine = f.vault.reachable ? vaultSummary(f.vault.health) : `:red_circle: unreachable — ${safeText(f.vault.reason, 500)}`;
  const pairs = [
    { label: 'Vault', value: `${vaultLine}\n${code(f.address, 200)}` },
    { label: 'Leader', value: f.vault.reachable ? leaderText(f.vault.leader) : 'unknown' },
    { label: 'Last backup', value: backupText(f) },
    { label: 'Last restore test', value: restoreTestText(f.lastRestoreTest) },
    { label: 'Pending approvals', value: String(f.pendingRequests) },
  ];
  if (f.lastRun?.status === 'failed') {
    pairs.push({ label: 'Last backup run', value: `:x: ${escapeText(f.lastRun.kind)} failed at ${escapeText(f.lastRun.step ?? '?')}: ${safeText(f.lastRun.error ?? '', 500)}` });
  }
  const headline = f.vault.reachable && !f.vault.health.sealed ? 'Vault status' : ':rotating_light: Vault status';
  return { text: `${headline}: ${f.vault.reachable ? f.vault.health.state : 'unreachable'}`, blocks: [section(`*${headline}*`), ...fieldSections(pairs)] };
}

function vaultSummary(h: VaultHealth): string {
  const icon = h.sealed || !h.initialized ? ':red_circle:' : ':large_green_circle:';
  const sealed = h.sealed ? 'sealed' : 'unsealed';
  return `${icon} ${escapeText(h.state)}, ${sealed}, v${escapeText(h.version)} · ${h.latencyMs} ms`;
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
