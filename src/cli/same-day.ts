/**
 * @module cli/same-day
 * When a person gives a date, the other backups of that day are named too: a manual backup taken
 * at 14:00 after a bad change is easy to miss behind the 02:00 daily one a date resolves to.
 */
import { byNewest, parseIsoDate, parseObjectKey } from '../core/backup/object-names.js';
import type { BackupStore } from '../core/store/backup-store.js';

/** Every other backup taken on `spec`'s day, newest first; empty when `spec` is not a date. */
export async function otherBackupsThatDay(store: BackupStore, spec: string, chosen: string): Promise<string[]> {
  const date = parseIsoDate(spec.trim());
  if (date === undefined) return [];
  const found = [];
  for await (const o of store.list()) {
    const name = parseObjectKey(o.key);
    if (name && name.date === date && name.key !== chosen) found.push(name);
  }
  return found.sort(byNewest).map((n) => n.key);
}

/** `also on 2025-11-26: manual/…, pre-restore/… (give a key to use one of them)`, or nothing. */
export function sameDayLine(spec: string, others: readonly string[]): string | undefined {
  if (others.length === 0) return undefined;
  return `also on ${spec.trim()}: ${others.join(', ')} (give its key instead of the date to use ${others.length === 1 ? 'it' : 'one of them'})`;
}
