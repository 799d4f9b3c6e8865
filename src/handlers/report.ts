/**
 * @module handlers/report
 * `/vault report [YYYY-MM-DD [YYYY-MM-DD]]` (default the last 30 days): the core builds the
 * compliance report; the bot uploads it as a Markdown file to the ops channel; the asker is told
 * where it went and whether the audit chain verifies.
 */
import { noticeReply } from '../bot/blocks/command-replies.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';

export async function postReport(deps: HandlerDeps, asker: Asker, reply: Reply, from?: string, to?: string): Promise<void> {
  const { report, file } = await deps.reports.publish(asker.userId, from, to);
  const chain = report.audit.ok ? 'the audit chain verifies' : 'the audit chain does NOT verify (see the report)';
  await reply(noticeReply(`The compliance report for ${report.range.from} to ${report.range.to} (${file.filename}) is uploaded to <#${deps.opsChannel}>; ${chain}.`, report.audit.ok ? ':page_facing_up:' : ':rotating_light:'));
}
