/**
 * @module report/render
 * The compliance report as Markdown (default), CSV or JSON. Markdown is for people (and the Slack
 * file preview); CSV has one row per fact with a `section` column, for spreadsheets; JSON is the
 * report object itself. No secret is ever part of the report: it holds ids, keys, paths and times.
 */
import { formatDuration } from '../actions/format-duration.js';
import { targetText } from '../drills/format.js';
import { formatBytes } from '../restore/restore-plan.js';
import type { ComplianceReport, GatedRun } from './build-report.js';
import { chartLines } from './chart.js';

export type ReportFormat = 'md' | 'csv' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json'];

export interface ReportFile {
  filename: string;
  title: string;
  content: string;
}

export function renderReport(r: ComplianceReport, format: ReportFormat): ReportFile {
  const base = `vault-compliance-${r.range.from}-to-${r.range.to}`;
  const title = `Vault compliance report ${r.range.from} – ${r.range.to}`;
  if (format === 'json') return { filename: `${base}.json`, title, content: `${JSON.stringify(r, null, 2)}\n` };
  if (format === 'csv') return { filename: `${base}.csv`, title, content: csv(r) };
  return { filename: `${base}.md`, title, content: markdown(r, title) };
}

const ms = (v: number | null): string => (v === null ? '—' : formatDuration(v));
const cell = (v: string): string => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdown(r: ComplianceReport, title: string): string {
  const t = r.totals;
  const out: string[] = [
    `# ${title}`,
    '',
    `Generated ${r.generatedAt}. Times are UTC.`,
    '',
    '## Audit log',
    '',
    `- Chain: **${r.audit.ok ? 'verifies' : 'DOES NOT VERIFY'}** (${r.audit.rowsChecked} rows checked${r.audit.firstBroken ? `; first break at ${cell(r.audit.firstBroken)}` : ''})`,
    `- Head: \`${r.audit.head}\``,
    `- Newest backup's audit-head: ${r.audit.newestBackupHead ? `\`${r.audit.newestBackupHead}\` (${cell(r.audit.newestBackupKey ?? '')})` : 'none'} — ${cell(r.audit.headComparison)}`,
    '',
    '## Backups',
    '',
    `- Taken: ${t.taken} · verified: ${t.verified} · failed: ${t.failed} · stored: ${formatBytes(t.bytes)}`,
    `- Longest gap between successful backups: ${r.longestGap ? `${r.longestGap.hours} h (${r.longestGap.from} → ${r.longestGap.to})` : 'none'}`,
    '',
    '```',
    ...chartLines(r.days),
    '```',
    '',
    '| day | taken | verified | failed | stored |',
    '|---|---:|---:|---:|---:|',
    ...r.days.map((d) => `| ${d.date} | ${d.taken} | ${d.verified} | ${d.failed}${d.failed ? ' ⚠' : ''} | ${d.bytes ? formatBytes(d.bytes) : '—'} |`),
    '',
    `## Retention deletions (${r.retentionDeletions.length})`,
    '',
    ...(r.retentionDeletions.length ? r.retentionDeletions.map((d) => `- ${d.time} \`${d.key}\` by ${d.actor}`) : ['None.']),
    '',
    `## Restores and recoveries (${r.restores.length})`,
    '',
    ...gatedTable(r.restores),
    '',
    `## Drills (${r.drills.length})`,
    '',
    ...(r.drills.length
      ? ['| started | drill | result | measured | target | by |', '|---|---|---|---:|---|---|',
        ...r.drills.map((d) => `| ${d.startedAt} | ${d.scenario} | ${d.status}${d.failures.length ? ` (${d.failures.length} failures)` : ''} | ${ms(d.durationMs)} | ${targetText(d)} | ${d.trigger === 'slack' ? d.actor : d.trigger} |`)]
      : ['None.']),
    '',
    `## Alerts (${r.alerts?.length ?? r.alertEventsFromAudit})`,
    '',
    ...(r.alerts === null
      ? [`Alerting is not installed in this database; ${r.alertEventsFromAudit} alert event(s) in the audit log.`]
      : r.alerts.length
        ? ['| fired | alert | severity | acknowledged by | time to ack | time to resolve |', '|---|---|---|---|---:|---:|',
          ...r.alerts.map((a) => `| ${a.firedAt} | ${cell(a.key)} | ${a.severity} | ${a.ackedBy ?? '—'} | ${ms(a.timeToAckMs)} | ${ms(a.timeToResolveMs)} |`)]
        : ['None.']),
    '',
    `## Rotations (${r.rotations.length})`,
    '',
    ...gatedTable(r.rotations),
    '',
  ];
  return out.join('\n');
}

function gatedTable(runs: readonly GatedRun[]): string[] {
  if (runs.length === 0) return ['None.'];
  return [
    '| requested | request | action | subject | requester | approvers | state | took | outcome |',
    '|---|---|---|---|---|---|---|---:|---|',
    ...runs.map((g) => `| ${g.createdAt} | ${g.requestId} | ${g.action} | ${cell(g.subject)} | ${g.requester} | ${g.approvers.join(', ') || '—'} | ${g.state} | ${ms(g.durationMs)} | ${cell(g.outcome)} |`),
  ];
}

function csv(r: ComplianceReport): string {
  const rows: string[][] = [['section', 'time', 'subject', 'actor', 'approvers', 'outcome', 'duration_ms', 'detail']];
  rows.push(['audit', r.generatedAt, r.audit.head, '', '', r.audit.ok ? 'verifies' : 'broken', '', `${r.audit.firstBroken ?? ''} ${r.audit.headComparison}`.trim()]);
  for (const d of r.days) rows.push(['backups-day', d.date, '', '', '', `taken=${d.taken} verified=${d.verified} failed=${d.failed}`, '', `stored_bytes=${d.bytes}`]);
  if (r.longestGap) rows.push(['longest-gap', r.longestGap.from, r.longestGap.to, '', '', '', String(Math.round(r.longestGap.hours * 3_600_000)), `${r.longestGap.hours} h`]);
  for (const d of r.retentionDeletions) rows.push(['retention-deletion', d.time, d.key, d.actor, '', 'deleted', '', '']);
  for (const g of r.restores) rows.push([g.action, g.createdAt, g.subject, g.requester, g.approvers.join(' '), g.state, g.durationMs === null ? '' : String(g.durationMs), `${g.requestId}: ${g.outcome}`]);
  for (const d of r.drills) rows.push(['drill', d.startedAt, d.scenario, d.actor, '', d.status, d.durationMs === null ? '' : String(d.durationMs), `${targetText(d)}; ${d.failures.join('; ')}`]);
  for (const a of r.alerts ?? []) rows.push(['alert', a.firedAt, a.key, a.ackedBy ?? '', '', a.severity, a.timeToResolveMs === null ? '' : String(a.timeToResolveMs), `time_to_ack_ms=${a.timeToAckMs ?? ''}`]);
  for (const g of r.rotations) rows.push(['rotation', g.createdAt, g.subject, g.requester, g.approvers.join(' '), g.state, g.durationMs === null ? '' : String(g.durationMs), `${g.requestId}: ${g.outcome}`]);
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

function csvCell(v: string): string {
  // Quote everything that could split a cell, and neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) || safe !== v ? `"${safe.replace(/"/g, '""')}"` : safe;
}
