import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatDuration, formatUtc, formatWhen, plural } from '../../src/format/human.js';

const now = new Date('2025-11-26T04:00:00Z');

describe('how times, counts and durations read', () => {
  it('times are UTC, then relative', () => {
    expect(formatUtc('2025-11-26T02:00:00.000Z')).toBe('2025-11-26 02:00 UTC');
    expect(formatWhen('2025-11-26T02:00:00.000Z', now)).toBe('2025-11-26 02:00 UTC (2 h ago)');
    expect(formatAgo(new Date(now.getTime() - 2_000), now)).toBe('just now');
    expect(formatAgo(new Date(now.getTime() - 42_000), now)).toBe('42 s ago');
    expect(formatAgo(new Date(now.getTime() - 5 * 60_000), now)).toBe('5 min ago');
    expect(formatAgo(new Date(now.getTime() - 3 * 86_400_000), now)).toBe('3 d ago');
    expect(formatAgo(new Date(now.getTime() + 5 * 60_000), now)).toBe('in 5 min');
    expect(formatWhen('not a time', now)).toBe('not a time');
  });

  it('counts agree with their noun', () => {
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(0, 'row')).toBe('0 rows');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });

  it('durations and sizes', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(41_234)).toBe('41.2 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3_600_000 + 3 * 60_000)).toBe('2 h 03 min');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12)).toBe('12 B');
  });
});
