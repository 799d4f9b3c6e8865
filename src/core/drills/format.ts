/** @module drills/format A drill report as plain lines (CLI, scheduled posts); no Slack markup, never a secret. */
import { formatDuration } from '../actions/format-duration.js';
import type { DrillReport } from './types.js';

/** Durations as people read them, the same as a request's result line. */
export const formatMs = formatDuration;

export function targetText(r: Pick<DrillReport, 'targetMs' | 'met'>): string {
  if (r.targetMs === null) return 'no time target';
  if (r.met === null) return `target ${formatMs(r.targetMs)}: not measured`;
  return `target ${formatMs(r.targetMs)}: ${r.met ? 'met' : 'missed'}`;
}

export function drillReportLines(r: DrillReport): string[] {
  return [
    r.summary || `Drill ${r.scenario} ${r.status}.`,
    `Staging: ${r.target} · started ${r.startedAt} · ${r.trigger} by ${r.actor}`,
    `Measured: ${r.durationMs === null ? 'nothing' : formatMs(r.durationMs)} (${targetText(r)})`,
    'Steps:',
    ...r.steps.map((s) => `  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name} — ${formatMs(s.ms)}${s.detail ? ` (${s.detail})` : ''}`),
    ...(r.failures.length ? ['Failures:', ...r.failures.map((f) => `  ${f}`)] : []),
  ];
}
