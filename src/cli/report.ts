/**
 * @module cli/report
 * `vault-chatops report [--from D] [--to D] [--format md|csv|json]`: the compliance report (DESIGN
 * §14) for a date range, default the last 30 days, on stdout. Reads the database only: it needs
 * neither Vault nor Slack, so it works in the outage it may be asked about.
 */
import { parseIsoDate } from '../core/backup/object-names.js';
import { DrillStore } from '../core/drills/index.js';
import { REPORT_FORMATS, ReportService, type ReportFormat } from '../core/report/index.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

const USAGE = 'report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format md|csv|json]';

export const reportCommand: Command = {
  name: 'report',
  usage: USAGE,
  summary: 'the compliance report for a date range (backups, gaps, retention, restores, drills, alerts, rotations, audit chain)',
  details: [
    'Default: the last 30 days, Markdown. Dates are inclusive UTC days.',
    'Exit 0 when the audit chain verifies and matches the newest backup\'s audit-head; exit 1 otherwise (the report says why).',
  ],
  flags: {
    from: { value: '<YYYY-MM-DD>', help: 'first day (default: 29 days before --to)' },
    to: { value: '<YYYY-MM-DD>', help: 'last day (default: today, UTC)' },
    format: { value: '<md|csv|json>', help: 'output format (default md)' },
  },
  run: (args, ctx) => {
    const format = args.flags.format ?? 'md';
    if (typeof format !== 'string' || !REPORT_FORMATS.includes(format as ReportFormat)) {
      throw new UsageError(`--format must be md, csv or json: ${USAGE}`);
    }
    const from = typeof args.flags.from === 'string' ? args.flags.from : undefined;
    const to = typeof args.flags.to === 'string' ? args.flags.to : undefined;
    for (const d of [from, to]) {
      if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new UsageError(`"${d}" is not a date; use YYYY-MM-DD: ${USAGE}`);
      // The right shape is not enough: 2026-13-01 must be a usage error (2), not a failure later (1).
      if (d !== undefined && parseIsoDate(d) === undefined) throw new UsageError(`"${d}" is not a calendar date; use YYYY-MM-DD, e.g. 2025-11-26: ${USAGE}`);
    }
    if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}; give the earlier date first`);
    const db = ctx.db();
    const service = new ReportService({ db, audit: ctx.audit(), drills: new DrillStore(db) });
    const { report, file } = service.render(ctx.actor(), { ...(from ? { from } : {}), ...(to ? { to } : {}), format: format as ReportFormat });
    ctx.io.stdout.write(file.content);
    return report.audit.ok ? 0 : 1;
  },
};
