/**
 * @module backup/object-names
 * The object names of DESIGN §4 — `daily/YYYY-MM-DD/vault-snapshot-YYYYMMDD-HHMMSS.enc` and its
 * monthly, manual and pre-restore siblings — built and parsed in one place. Retention and restore
 * work from the date in the name, never from the store's LastModified.
 */
import type { BackupKind } from '../notifier.js';

export const BACKUP_KINDS: readonly BackupKind[] = ['daily', 'monthly', 'manual', 'pre-restore'];

export interface ParsedObjectName {
  key: string;
  kind: BackupKind;
  /** `YYYY-MM-DD` of the snapshot, UTC. */
  date: string;
  /** `YYYY-MM` of the snapshot, UTC. */
  month: string;
  /** The snapshot time, UTC, from the file name. */
  takenAt: Date;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function isoDate(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
}

/** The final object key for a backup of `kind` taken at `at` (UTC). */
export function objectKeyFor(kind: BackupKind, at: Date): string {
  const date = isoDate(at);
  const folder = kind === 'monthly' ? date.slice(0, 7) : date;
  const stamp =
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${kind}/${folder}/vault-snapshot-${stamp}.enc`;
}

const NAME =
  /^(daily|monthly|manual|pre-restore)\/(\d{4}-\d{2}(?:-\d{2})?)\/vault-snapshot-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.enc$/;

/** Parses a key written by {@link objectKeyFor}; anything else (foreign files, typos) is undefined. */
export function parseObjectKey(key: string): ParsedObjectName | undefined {
  const m = NAME.exec(key);
  if (!m) return undefined;
  const [, kind, folder, y, mo, d, h, mi, s] = m as unknown as [string, BackupKind, string, string, string, string, string, string, string];
  const takenAt = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
  if (Number.isNaN(takenAt.getTime()) || isoDate(takenAt) !== `${y}-${mo}-${d}`) return undefined;
  const date = `${y}-${mo}-${d}`;
  const expectedFolder = kind === 'monthly' ? date.slice(0, 7) : date;
  if (folder !== expectedFolder) return undefined;
  return { key, kind, date, month: date.slice(0, 7), takenAt };
}

/** Newest first, by the time in the name; ties broken by key so the order is stable. */
export function byNewest(a: ParsedObjectName, b: ParsedObjectName): number {
  return b.takenAt.getTime() - a.takenAt.getTime() || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);
}

/** A strict `YYYY-MM-DD` that is a real calendar date, or undefined. */
export function parseIsoDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return isoDate(at) === text ? text : undefined;
}

/** Where staging restores keep their safety snapshots: `staging/pre-restore/…` (backup-engine's keyPrefix). */
export const STAGING_PREFIX = 'staging/';

/** True for every backup object the tool writes, the staging safety snapshots under `staging/` included. */
export function isBackupObjectKey(key: string): boolean {
  if (parseObjectKey(key)) return true;
  return key.startsWith(STAGING_PREFIX) && parseObjectKey(key.slice(STAGING_PREFIX.length)) !== undefined;
}
