/**
 * @module handlers/report
 * `/vault report [YYYY-MM-DD [YYYY-MM-DD]]` (default the last 30 days): the core builds the
 * compliance report; the bot uploads it as a Markdown file to the ops channel; the asker is told
 * where it went and whether the audit chain verifies.
 */
import { reportUploadedReply } from '../bot/blocks/drill-messages.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';

export async function postReport(deps: HandlerDeps, asker: Asker, reply: Reply, from?: string, to?: string): Promise<void> {
  const { report, file } = await deps.reports.publish(asker.userId, from, to);
  await reply(reportUploadedReply(report.range, file.filename, deps.opsChannel, report.audit.ok));
}
