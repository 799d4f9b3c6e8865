/**
 * @module health/backup-checks
 * The checks about backups: age of the newest backup (by the catalogue *and* by what is actually
 * in the store — a catalogue that says "fine" over an empty bucket is the failure people fear
 * most), the last backup run, the last restore test, and whether the store answers at all.
 *
 * The store is asked only for the date folders a backup younger than the limit could be in
 * (today and the days back to the limit, this month and maybe last), at most
 * `LIST_CONCURRENCY` listings at a time, so a round stays cheap however many backups the store
 * holds and a slow but working store (every LIST a few hundred ms) is not called unreachable.
 */
import { byNewest, isoDate, parseObjectKey, type ParsedObjectName } from '../backup/object-names.js';
import type { BackupStore } from '../store/backup-store.js';
import type { CheckResult, HealthCatalogue } from './types.js';
import { reason } from './vault-checks.js';

const DAY_MS = 86_400_000;

/** Listings in flight at once: the whole look takes about two LIST round trips, not nine. */
export const LIST_CONCURRENCY = 4;

/** The newest backup in the store from the last `maxAgeHours` (rounded up to whole days, plus one), or undefined. */
export async function newestStoredBackup(store: Pick<BackupStore, 'list'>, now: Date, maxAgeHours: number): Promise<ParsedObjectName | undefined> {
  const days = Math.ceil(maxAgeHours / 24) + 1;
  const dates = Array.from({ length: days }, (_, i) => isoDate(new Date(now.getTime() - i * DAY_MS)));
  const months = [...new Set(dates.map((d) => d.slice(0, 7)))];
  const prefixes = [...dates.flatMap((d) => [`daily/${d}/`, `manual/${d}/`]), ...months.map((m) => `monthly/${m}/`)];
  const found: ParsedObjectName[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let prefix = prefixes[next++]; prefix !== undefined; prefix = prefixes[next++]) {
      for await (const object of store.list(prefix)) {
        const name = parseObjectKey(object.key);
        // An empty object is not a backup, whatever its name says.
        if (name && object.size > 0) found.push(name);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, prefixes.length) }, worker));
  return found.sort(byNewest)[0];
}

export interface StoreLook {
  newest?: ParsedObjectName;
  error?: unknown;
}

export function storeResult(look: StoreLook, location: string, ms: number): CheckResult {
  return look.error === undefined
    ? { name: 'store', state: 'pass', alert: 'store_unreachable', durationMs: ms, detail: `${location} answers` }
    : { name: 'store', state: 'fail', alert: 'store_unreachable', durationMs: ms, detail: `The backup store ${location} did not answer: ${reason(look.error)}` };
}

export function backupAgeResult(catalogueAt: Date | undefined, look: StoreLook | undefined, now: Date, maxAgeHours: number): CheckResult {
  const hours = (at: Date): number => (now.getTime() - at.getTime()) / 3_600_000;
  const base = { name: 'backup_age' as const, alert: 'backup_overdue' as const, durationMs: 0 };
  if (!catalogueAt) return { ...base, state: 'fail', detail: 'There is no successful backup in the catalogue.' };
  const byCatalogue = hours(catalogueAt);
  if (byCatalogue > maxAgeHours) return { ...base, state: 'fail', detail: `The last successful backup is ${Math.floor(byCatalogue)} h old (limit ${maxAgeHours} h).` };
  if (look === undefined || look.error !== undefined) {
    return { ...base, state: 'pass', detail: `${byCatalogue.toFixed(1)} h old by the catalogue (the store could not be checked)` };
  }
  if (!look.newest) {
    return { ...base, state: 'fail', detail: `The catalogue lists a backup ${byCatalogue.toFixed(1)} h old, but the store holds no backup from the last ${maxAgeHours} h.` };
  }
  const byStore = hours(look.newest.takenAt);
  if (byStore > maxAgeHours) {
    return { ...base, state: 'fail', detail: `The newest backup in the store, ${look.newest.key}, is ${Math.floor(byStore)} h old (limit ${maxAgeHours} h), though the catalogue lists a newer one.` };
  }
  return { ...base, state: 'pass', detail: `${Math.max(byCatalogue, byStore).toFixed(1)} h old (${look.newest.key})` };
}

export function lastBackupResult(catalogue: HealthCatalogue): CheckResult {
  const run = catalogue.lastRun();
  const base = { name: 'last_backup' as const, durationMs: 0 };
  if (!run) return { ...base, state: 'skip', detail: 'No backup has run yet.' };
  if (run.status === 'failed') return { ...base, state: 'fail', detail: `The last ${run.kind} backup (${run.startedAt}) failed at ${run.step ?? 'an unknown step'}: ${run.error ?? 'no reason recorded'}` };
  if (run.status === 'interrupted') return { ...base, state: 'fail', detail: `The last ${run.kind} backup (${run.startedAt}) was interrupted and not retried.` };
  if (run.status === 'running') return { ...base, state: 'pass', detail: `A ${run.kind} backup is running (started ${run.startedAt}).` };
  return { ...base, state: 'pass', detail: `The last ${run.kind} backup succeeded (${run.finishedAt ?? run.startedAt}).` };
}

export function restoreTestResult(catalogue: HealthCatalogue): CheckResult {
  const last = catalogue.lastRestore('restore-test');
  const base = { name: 'restore_test' as const, alert: 'restore_test_failed' as const, durationMs: 0 };
  if (!last) return { ...base, state: 'skip', detail: 'No restore test has run yet.' };
  if (last.status === 'succeeded') return { ...base, state: 'pass', detail: `The last restore test passed (${last.finishedAt ?? 'time unknown'}).` };
  if (last.status === 'running') return { ...base, state: 'skip', detail: 'A restore test is running.' };
  return { ...base, state: 'fail', detail: `The last restore test ${last.status}${last.error ? `: ${last.error}` : ''} (${last.finishedAt ?? 'time unknown'}).` };
}
