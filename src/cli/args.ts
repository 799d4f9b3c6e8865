/**
 * @module cli/args
 * The argument shapes several commands share, checked before anything is opened so a typo is a
 * usage error (exit 2, one line) and never a failure deep inside a command: backup kinds, restore
 * targets (the same names as in Slack: `prod`/`production`, `staging`), and backup specs.
 */
import { BACKUP_KINDS, parseIsoDate } from '../core/backup/object-names.js';
import type { BackupKind } from '../core/notifier.js';
import type { RestoreTargetName } from '../core/restore/restore-plan.js';
import { parseTargetName } from '../core/restore/target-names.js';
import { UsageError } from './usage-error.js';

/** A kind for filtering listings: every kind, pre-restore safety snapshots included. */
export function parseListKind(value: string | true | undefined): BackupKind | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (BACKUP_KINDS as readonly string[]).includes(value)) return value as BackupKind;
  throw new UsageError(`--kind must be one of ${BACKUP_KINDS.join(', ')}, not "${String(value)}"`);
}

/** Target names, as in Slack: `prod` and `production` are the same Vault. */
export function parseTarget(value: string | true | undefined, usage: string): RestoreTargetName {
  const target = typeof value === 'string' ? parseTargetName(value) : undefined;
  if (target === undefined) {
    const shown = value === undefined ? 'restore needs --target prod or --target staging' : `--target must be prod (or production) or staging, not "${String(value)}"`;
    throw new UsageError(`${shown}; usage: vault-chatops ${usage}`);
  }
  return target;
}

export const SPEC_FORM = '<key|latest|YYYY-MM-DD>';

/** `latest`, a real `YYYY-MM-DD`, or an object key (anything with a `/`); otherwise a usage error. */
export function parseBackupSpec(raw: string | undefined, usage: string): string {
  const text = (raw ?? '').trim();
  if (text === 'latest' || text.includes('/') || parseIsoDate(text) !== undefined) return text;
  const why = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `"${text}" is not a calendar date` : `"${text.slice(0, 40)}" is not a date, "latest" or an object key`;
  throw new UsageError(`${why}; expected ${SPEC_FORM}, e.g. 2025-11-26; usage: vault-chatops ${usage}`);
}
