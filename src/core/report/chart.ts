/**
 * @module report/chart
 * A per-day text chart of backup outcomes and sizes: readable in a Slack file preview, a terminal
 * and a Markdown viewer alike, so a reviewer sees gaps and failures at a glance. One column per
 * day: a block whose height is the day's stored size, `×` for a day with a failure and no
 * success, `·` for a day without any backup.
 */
import type { DayRow } from './build-report.js';

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per day. */
export function sparkline(days: readonly DayRow[]): string {
  const max = Math.max(0, ...days.map((d) => d.bytes));
  return days
    .map((d) => {
      if (d.verified === 0) return d.failed > 0 ? '×' : '·';
      const level = max === 0 ? 0 : Math.min(BARS.length - 1, Math.floor((d.bytes / max) * (BARS.length - 1) + 0.5));
      return BARS[level] as string;
    })
    .join('');
}

/** The sparkline framed with its first and last date and a legend. */
export function chartLines(days: readonly DayRow[]): string[] {
  if (days.length === 0) return [];
  const line = sparkline(days);
  const first = days[0]?.date ?? '';
  const last = days.at(-1)?.date ?? '';
  return [
    `${first} ${line} ${last}`,
    'height: stored size of the day\'s verified backups · × failed, nothing verified · · no backup',
  ];
}
