/**
 * @module restore/resolve-backup
 * Turns what a person typed — `2025-11-26`, `latest`, or an exact key — into one stored object.
 * A day resolves to its newest daily backup (any kind when that day has no daily one); when nothing
 * matches, the error names the nearest dates that do have a backup.
 */
import { CoreError, ErrorCode } from '../errors.js';
import type { BackupStore, StoredObject } from '../store/backup-store.js';
import { byNewest, parseIsoDate, parseObjectKey, type ParsedObjectName } from '../backup/object-names.js';

export const RESTORE_SPEC_FORM = '<YYYY-MM-DD | latest | object key>';

export interface ResolvedBackup {
  name: ParsedObjectName | undefined;
  object: StoredObject;
  /** When a day was typed: the other backups of that day, newest first (a manual one after a bad change is easy to miss). */
  alsoThatDay?: string[];
}

export async function resolveBackup(store: BackupStore, spec: string): Promise<ResolvedBackup> {
  const text = spec.trim();
  if (text.includes('/')) return { name: parseObjectKey(text), object: await statOrThrow(store, text) };

  // What was typed is checked before the store is read: a typo is answered as a typo.
  const date = text === 'latest' ? undefined : parseIsoDate(text);
  if (text !== 'latest' && !date) {
    throw new CoreError(ErrorCode.InvalidInput, `"${text.slice(0, 40)}" is not a date, "latest" or an object key; expected ${RESTORE_SPEC_FORM}, e.g. 2025-11-26.`);
  }
  const all = await listRestorable(store);
  if (text === 'latest') {
    const newest = all[0];
    if (!newest) throw new CoreError(ErrorCode.BackupNotFound, `There are no backups in ${store.location} yet.`);
    return { name: newest, object: await statOrThrow(store, newest.key) };
  }

  if (!date) throw new CoreError(ErrorCode.Internal, 'unreachable: the date was checked above');
  const sameDay = all.filter((p) => p.date === date);
  const chosen = sameDay.find((p) => p.kind === 'daily') ?? sameDay[0];
  if (!chosen) {
    const near = nearestDates(all, date);
    const hint = near.length ? ` Nearest dates with a backup: ${near.join(', ')}.` : ' There are no backups at all yet.';
    throw new CoreError(ErrorCode.BackupNotFound, `No backup from ${date}.${hint}`);
  }
  const others = sameDay.filter((p) => p.key !== chosen.key).map((p) => p.key);
  return { name: chosen, object: await statOrThrow(store, chosen.key), ...(others.length > 0 ? { alsoThatDay: others } : {}) };
}

/** Every backup a restore may use, newest first (pre-restore safety snapshots included last resort). */
export async function listRestorable(store: BackupStore): Promise<ParsedObjectName[]> {
  const parsed: ParsedObjectName[] = [];
  for await (const o of store.list()) {
    const p = parseObjectKey(o.key);
    if (p && p.kind !== 'pre-restore') parsed.push(p);
  }
  return parsed.sort(byNewest);
}

/** Up to `count` distinct dates closest to `date`, earlier first on ties. */
export function nearestDates(all: ParsedObjectName[], date: string, count = 3): string[] {
  const target = Date.parse(`${date}T00:00:00Z`);
  const dates = [...new Set(all.map((p) => p.date))];
  return dates
    .sort((a, b) => Math.abs(Date.parse(`${a}T00:00:00Z`) - target) - Math.abs(Date.parse(`${b}T00:00:00Z`) - target) || (a < b ? -1 : 1))
    .slice(0, count)
    .sort();
}

async function statOrThrow(store: BackupStore, key: string): Promise<StoredObject> {
  const object = await store.stat(key);
  if (!object) throw new CoreError(ErrorCode.BackupNotFound, `No backup named ${key} in ${store.location}.`);
  return object;
}
