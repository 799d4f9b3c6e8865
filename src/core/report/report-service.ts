/**
 * @module report/report-service
 * Builds and renders the compliance report for the CLI and the bot, and hands the file to
 * whatever publishes it (the bot: an upload to the ops channel). Audited: who asked, for which range.
 */
import type Database from 'better-sqlite3';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { DrillReport } from '../drills/types.js';
import { buildReport, resolveRange, type ComplianceReport } from './build-report.js';
import { renderReport, type ReportFile, type ReportFormat } from './render.js';

export interface ReportServiceOptions {
  db: Database.Database;
  audit: Pick<AuditLog, 'verify' | 'append'>;
  drills: { between(fromIso: string, toIso: string): DrillReport[] };
  clock?: Clock;
  /** Where a finished report goes (the bot uploads it to the ops channel). */
  publish?: (file: ReportFile) => Promise<void>;
}

export class ReportService {
  private readonly clock: Clock;

  constructor(private readonly o: ReportServiceOptions) {
    this.clock = o.clock ?? systemClock;
  }

  build(from?: string, to?: string): ComplianceReport {
    const range = resolveRange(this.clock(), from, to);
    return buildReport({ db: this.o.db, audit: this.o.audit, drills: this.o.drills, now: this.clock }, range);
  }

  /** Builds, renders and records who asked; returns the file and the report it came from. */
  render(actor: string, opts: { from?: string; to?: string; format?: ReportFormat }): { report: ComplianceReport; file: ReportFile } {
    const report = this.build(opts.from, opts.to);
    const file = renderReport(report, opts.format ?? 'md');
    this.o.audit.append({ actor, event: 'report.generated', target: file.filename, details: { from: report.range.from, to: report.range.to, format: opts.format ?? 'md', auditChainOk: report.audit.ok } });
    return { report, file };
  }

  /** Renders as Markdown and publishes (Slack: a file in the ops channel). */
  async publish(actor: string, from?: string, to?: string): Promise<{ report: ComplianceReport; file: ReportFile }> {
    if (!this.o.publish) throw new Error('this report service has nowhere to publish');
    const made = this.render(actor, { ...(from ? { from } : {}), ...(to ? { to } : {}), format: 'md' });
    await this.o.publish(made.file);
    return made;
  }
}
