import { describe, expect, it } from 'vitest';
import { objectKeyFor, parseObjectKey, parseIsoDate } from '../../../src/core/backup/object-names.js';
import { planRetention, DEFAULT_RETENTION } from '../../../src/core/backup/retention.js';

const at = (iso: string) => new Date(iso);
const daily = (day: string, time = '02:00:00') => objectKeyFor('daily', at(`${day}T${time}Z`));
const monthly = (day: string) => objectKeyFor('monthly', at(`${day}T02:00:00Z`));

function days(from: string, count: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start - i * 86_400_000).toISOString().slice(0, 10));
}

describe('object names', () => {
  it('follow DESIGN §4 exactly, zero-padded UTC', () => {
    expect(objectKeyFor('daily', at('2025-11-26T02:00:00Z'))).toBe('daily/2025-11-26/vault-snapshot-20251126-020000.enc');
    expect(objectKeyFor('monthly', at('2025-12-01T02:00:05Z'))).toBe('monthly/2025-12/vault-snapshot-20251201-020005.enc');
    expect(objectKeyFor('manual', at('2026-01-09T13:04:59Z'))).toBe('manual/2026-01-09/vault-snapshot-20260109-130459.enc');
    expect(objectKeyFor('pre-restore', at('2026-01-09T13:04:59Z'))).toBe('pre-restore/2026-01-09/vault-snapshot-20260109-130459.enc');
  });

  it('parse back, and refuse names we did not write', () => {
    expect(parseObjectKey('daily/2025-11-26/vault-snapshot-20251126-020000.enc')?.date).toBe('2025-11-26');
    expect(parseObjectKey('daily/2025-11-27/vault-snapshot-20251126-020000.enc')).toBeUndefined();
    expect(parseObjectKey('daily/2025-02-30/vault-snapshot-20250230-020000.enc')).toBeUndefined();
    expect(parseObjectKey('notes/readme.txt')).toBeUndefined();
    expect(parseIsoDate('2025-13-45')).toBeUndefined();
    expect(parseIsoDate('2025-11-26')).toBe('2025-11-26');
  });
});

describe('planRetention', () => {
  const now = at('2025-12-15T03:00:00Z');

  it('keeps the 30 newest days of dailies, counting days that hold a backup, not calendar days', () => {
    // 40 days with a backup, but with a 10-day gap in the middle: the 30 newest *backup days* stay.
    const recent = days('2025-12-15', 20);
    const older = days('2025-11-15', 20);
    const keys = [...recent, ...older].map((d) => daily(d));
    const plan = planRetention(keys, DEFAULT_RETENTION, { now });
    const kept = new Set(plan.keep.map((p) => p.date));
    expect(kept.size).toBe(30);
    expect(kept.has('2025-12-15')).toBe(true);
    expect(kept.has(older[9]!)).toBe(true);
    expect(kept.has(older[10]!)).toBe(false);
    expect(plan.delete).toHaveLength(10);
    expect(plan.delete.every((d) => d.reason === 'older than the 30 newest days')).toBe(true);
  });

  it('keeps every object of a kept day (two backups the same day both stay)', () => {
    const keys = [daily('2025-12-15', '02:00:00'), daily('2025-12-15', '14:30:00'), daily('2025-12-14')];
    const plan = planRetention(keys, { ...DEFAULT_RETENTION, daily: 1 }, { now });
    expect(plan.keep.map((p) => p.key).sort()).toEqual([keys[0], keys[1]].sort());
    expect(plan.delete.map((p) => p.key)).toEqual([keys[2]]);
  });

  it('keeps 12 months of monthlies by the month in the name', () => {
    const keys = Array.from({ length: 15 }, (_, i) => monthly(new Date(Date.UTC(2025, 11 - i, 1)).toISOString().slice(0, 10)));
    const plan = planRetention(keys, DEFAULT_RETENTION, { now });
    expect(plan.keep).toHaveLength(12);
    expect(plan.delete.map((p) => p.month).sort()).toEqual(['2024-10', '2024-11', '2024-12']);
  });

  it('drops manual and pre-restore backups after 30 days', () => {
    const keys = [objectKeyFor('manual', at('2025-11-20T10:00:00Z')), objectKeyFor('manual', at('2025-11-10T10:00:00Z')), objectKeyFor('pre-restore', at('2025-11-01T10:00:00Z'))];
    const plan = planRetention([...keys, daily('2025-12-15')], DEFAULT_RETENTION, { now });
    expect(plan.delete.map((p) => p.key).sort()).toEqual([keys[1], keys[2]].sort());
  });

  it('never deletes the newest verified backup, even when the policy says it should go', () => {
    const old = daily('2024-01-01');
    const plan = planRetention([old, daily('2025-12-15'), daily('2025-12-14')], { ...DEFAULT_RETENTION, daily: 1 }, { now, newestVerifiedKey: old });
    expect(plan.protectedKey).toBe(old);
    expect(plan.keep.map((p) => p.key)).toContain(old);
  });

  it('without a catalogue, protects the newest backup by name', () => {
    const lone = objectKeyFor('manual', at('2025-01-01T00:00:00Z'));
    const plan = planRetention([lone], DEFAULT_RETENTION, { now });
    expect(plan.delete).toHaveLength(0);
    expect(plan.protectedKey).toBe(lone);
  });

  it('never touches files it did not write', () => {
    const plan = planRetention(['daily/notes.txt', 'backup.tar.gz', daily('2025-12-15')], { ...DEFAULT_RETENTION, daily: 0 }, { now });
    expect(plan.ignored).toEqual(['daily/notes.txt', 'backup.tar.gz']);
    expect(plan.delete.map((p) => p.key)).not.toContain('backup.tar.gz');
  });
});
