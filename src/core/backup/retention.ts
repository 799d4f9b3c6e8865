/**
 * @module backup/retention
 * Retention as a plan, then that plan run once (restic's PlanPrune/Execute). The plan is a pure
 * function of the object names, the policy and the newest verified backup, so a dry run shows
 * exactly what a real run deletes.
 *
 * Rules (DESIGN §4): per kind, by the date in the object name, never by LastModified.
 * - daily: keep every object whose day is among the `daily` newest days that hold a daily object;
 * - monthly: likewise with months;
 * - manual and pre-restore: keep objects from the last `windowDays` days (30 by default);
 * - the newest verified backup is never deleted, whatever the policy says;
 * - names we did not write are never touched.
 */
import type { BackupKind } from '../notifier.js';
import { byNewest, isoDate, parseObjectKey, type ParsedObjectName } from './object-names.js';

export interface RetentionPolicy {
  daily: number;
  monthly: number;
  /** Age limit for manual and pre-restore backups, in days. */
  windowDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { daily: 30, monthly: 12, windowDays: 30 };

export interface RetentionPlan {
  keep: ParsedObjectName[];
  delete: Array<ParsedObjectName & { reason: string }>;
  /** The backup protected whatever the policy says, if any. */
  protectedKey?: string;
  ignored: string[];
}

export function planRetention(
  keys: Iterable<string>,
  policy: RetentionPolicy,
  opts: { now: Date; newestVerifiedKey?: string },
): RetentionPlan {
  const parsed: ParsedObjectName[] = [];
  const ignored: string[] = [];
  for (const key of keys) {
    const p = parseObjectKey(key);
    if (p) parsed.push(p);
    else ignored.push(key);
  }
  parsed.sort(byNewest);

  // The newest verified backup per the catalogue; with no catalogue (a fresh database over an
  // existing store) the newest daily/monthly/manual object stands in for it.
  const protectedKey =
    opts.newestVerifiedKey && parsed.some((p) => p.key === opts.newestVerifiedKey)
      ? opts.newestVerifiedKey
      : parsed.find((p) => p.kind !== 'pre-restore')?.key;

  const cutoff = isoDate(new Date(opts.now.getTime() - policy.windowDays * 86_400_000));
  const keptPeriods = new Map<BackupKind, Set<string>>();
  for (const kind of ['daily', 'monthly'] as const) {
    const limit = kind === 'daily' ? policy.daily : policy.monthly;
    const periods: string[] = [];
    for (const p of parsed) {
      if (p.kind !== kind) continue;
      const period = kind === 'daily' ? p.date : p.month;
      if (!periods.includes(period)) periods.push(period);
    }
    keptPeriods.set(kind, new Set(periods.slice(0, limit)));
  }

  const plan: RetentionPlan = { keep: [], delete: [], ignored, ...(protectedKey ? { protectedKey } : {}) };
  for (const p of parsed) {
    const reason = deletionReason(p, policy, keptPeriods, cutoff);
    if (reason === undefined || p.key === protectedKey) plan.keep.push(p);
    else plan.delete.push({ ...p, reason });
  }
  return plan;
}

function deletionReason(
  p: ParsedObjectName,
  policy: RetentionPolicy,
  keptPeriods: Map<BackupKind, Set<string>>,
  cutoff: string,
): string | undefined {
  switch (p.kind) {
    case 'daily':
      return keptPeriods.get('daily')?.has(p.date) ? undefined : `older than the ${policy.daily} newest days`;
    case 'monthly':
      return keptPeriods.get('monthly')?.has(p.month) ? undefined : `older than the ${policy.monthly} newest months`;
    case 'manual':
    case 'pre-restore':
      return p.date >= cutoff ? undefined : `${p.kind} backup older than ${policy.windowDays} days`;
  }
}
