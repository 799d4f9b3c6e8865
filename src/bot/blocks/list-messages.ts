/**
 * @module bot/blocks/list-messages
 * The list answers: `/vault backups`, `/vault approvals`, `/vault audit [N]` and `/vault audit verify`.
 * One line per item, capped so a long list never exceeds Slack's block text limits.
 */
import type { ApprovalStatus } from '../../core/approvals/index.js';
import type { AuditRecord, AuditVerifyResult } from '../../core/audit/index.js';
import type { CatalogueEntry } from '../../core/backup/catalogue.js';
import { formatBytes } from '../../core/restore/restore-plan.js';
import { code, escapeText, mention, safeText } from '../text.js';
import { context, section, type Block, type SlackMessage } from './kit.js';

/** Lines per section: well under 3000 characters even with long keys. */
const LINES_PER_SECTION = 10;

function linesAsSections(lines: string[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_SECTION) blocks.push(section(lines.slice(i, i + LINES_PER_SECTION).join('\n')));
  return blocks;
}

export function renderBackupList(entries: readonly CatalogueEntry[], kind: string | undefined): SlackMessage {
  const what = kind ? `${kind} backups` : 'backups';
  if (entries.length === 0) return { text: `No ${what} yet.`, blocks: [section(`No ${escapeText(what)} yet. Take one with \`/vault backup now\`.`)] };
  const lines = entries.map((e) => `• ${code(e.key, 200)} · ${formatBytes(e.storedBytes)} · sha256 \`${escapeText(e.sha256.slice(0, 12))}\``);
  return {
    text: `${entries.length} newest ${what}`,
    blocks: [section(`*${entries.length} newest ${escapeText(what)}* (verified after upload)`), ...linesAsSections(lines), context(`Restore one with \`${escapeText('/vault restore <YYYY-MM-DD|latest|key>')}\`.`)],
  };
}

export function renderApprovalList(requests: readonly ApprovalStatus[]): SlackMessage {
  if (requests.length === 0) return { text: 'No approval requests are waiting.', blocks: [section('No approval requests are waiting or running.')] };
  const lines = requests.map(
    (r) => `• \`${escapeText(r.id)}\` ${escapeText(r.action)} by ${mention(r.requester)} · ${escapeText(r.headline)} · ${escapeText(r.summary)}${r.state === 'pending' ? ` · expires ${escapeText(r.expiresAt.slice(11, 16))} UTC` : ''}`,
  );
  return { text: `${requests.length} open approval requests`, blocks: [section(`*${requests.length} open approval requests*`), ...linesAsSections(lines)] };
}

export function renderAuditTail(rows: readonly AuditRecord[]): SlackMessage {
  if (rows.length === 0) return { text: 'The audit log is empty.', blocks: [section('The audit log is empty.')] };
  const lines = rows.map((r) => `\`${r.id}\` ${escapeText(r.time.slice(0, 19).replace('T', ' '))} ${mention(r.actor)} *${escapeText(r.event)}*${r.target ? ` ${code(r.target, 150)}` : ''}`);
  return { text: `Last ${rows.length} audit events`, blocks: [section(`*Last ${rows.length} audit events*, oldest first`), ...linesAsSections(lines)] };
}

export function renderAuditVerify(result: AuditVerifyResult): SlackMessage {
  const head = `${result.head.id}:${result.head.hash.slice(0, 12)}`;
  const text = result.ok
    ? `:white_check_mark: Audit chain intact: ${result.checked} rows, head \`${escapeText(head)}\`.`
    : `:rotating_light: Audit chain broken at row ${result.firstBroken?.id ?? '?'}: ${safeText(result.firstBroken?.detail ?? 'unknown reason', 1000)} (${result.checked} rows verified before it).`;
  return { text, blocks: [section(text)] };
}
