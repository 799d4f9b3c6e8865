/**
 * @module format/human
 * How times, counts and durations read to a person, in one place for the CLI, the Slack blocks and
 * the core's messages. A leaf: it imports nothing, so any layer may use it.
 *
 * - Times are UTC and relative: `2025-11-26 02:00 UTC (2 h ago)`.
 * - Counts agree with their noun: `1 row`, `3 rows`, `0 backups`.
 * - A result carries one duration, formatted by `formatDuration`: `850 ms`, `41.2 s`, `3 min 05 s`.
 */

/** `2025-11-26 02:00 UTC`; with seconds when `seconds` is set. An unparsable input is returned as given. */
export function formatUtc(at: Date | string, opts: { seconds?: boolean } = {}): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  return `${date.toISOString().slice(0, opts.seconds ? 19 : 16).replace('T', ' ')} UTC`;
}

/** `just now`, `42 s ago`, `5 min ago`, `2 h ago`, `3 d ago`; a future time reads `in 5 min`. */
export function formatAgo(at: Date | string, now: Date = new Date()): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return 'at an unknown time';
  const ms = now.getTime() - date.getTime();
  const abs = Math.abs(ms);
  let span: string;
  if (abs < 5_000) return 'just now';
  if (abs < 60_000) span = `${Math.floor(abs / 1000)} s`;
  else if (abs < 3_600_000) span = `${Math.floor(abs / 60_000)} min`;
  else if (abs < 48 * 3_600_000) span = `${Math.floor(abs / 3_600_000)} h`;
  else span = `${Math.floor(abs / 86_400_000)} d`;
  return ms >= 0 ? `${span} ago` : `in ${span}`;
}

/** `2025-11-26 02:00 UTC (2 h ago)`: the one way a point in time is shown to a person. */
export function formatWhen(at: Date | string, now: Date = new Date()): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  return `${formatUtc(date)} (${formatAgo(date, now)})`;
}

/** `1 backup`, `2 backups`; `plural(3, 'entry', 'entries')` for irregular nouns. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Durations as people read them in a result line: `850 ms`, `41.2 s`, `3 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 120) return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `1.5 MiB`: binary units, one decimal above bytes. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u += 1; }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
