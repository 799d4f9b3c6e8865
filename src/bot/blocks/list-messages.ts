/**
 * @module bot/blocks/list-messages
 * The list answers: `/vault backups`, `/vault approvals`, `/vault audit [N]` and `/vault audit verify`.
 * One line per item, capped so a long list never exceeds Slack's block text limits.
 */
import type { ApprovalStatus } from '../../core/approvals/index.js';
import type { AuditRecord, AuditVerifyResult } from '../../core/audit/index.js';
import type { CatalogueEntry } from '../../core/backup/catalogue.js';
import { formatAgo, formatBytes, formatUtc, formatWhen, plural } from '../../format/human.js';
import { code, escapeText, mention, safeText } from '../text.js';
import { context, section, type Block, type SlackMessage } from './kit.js';

/** Lines per section: well under 3000 characters even with long keys. */
const LINES_PER_SECTION = 10;

function linesAsSections(lines: string[], perSection = LINES_PER_SECTION): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += perSection) blocks.push(section(lines.slice(i, i + perSection).join('\n')));
  return blocks;
}

export function renderBackupList(entries: readonly CatalogueEntry[], kind: string | undefined, now: Date = new Date()): SlackMessage {
  const what = kind ? `${kind} backups` : 'backups';
  if (entries.length === 0) return { text: `No ${what} yet.`, blocks: [section(`No ${escapeText(what)} yet. Take one with \`/vault backup now\`.`)] };
  const lines = entries.map((e) => `• ${code(e.key, 200)} · ${formatBytes(e.storedBytes)} · verified ${escapeText(formatWhen(e.verifiedAt, now))} · sha256 \`${escapeText(e.sha256.slice(0, 12))}\``);
  const title = entries.length === 1 ? `The newest ${kind ? `${kind} backup` : 'backup'}` : `${entries.length} newest ${what}`;
  return {
    text: title,
    blocks: [section(`*${escapeText(title)}* (verified after upload)`), ...linesAsSections(lines), context(`Restore one with \`${escapeText('/vault restore <YYYY-MM-DD|latest|key>')}\`.`)],
  };
}

/** Facts as one escaped line, `Backup: daily/… · Target: production (https://…)`, cut to fit a list line. */
function factsLine(facts: readonly { label: string; value: string }[]): string {
  return safeText(facts.map((f) => `${f.label}: ${f.value}`).join(' · '), 400);
}

/**
 * `/vault approvals`: each open request with what it would do (its frozen facts), who asked and
 * when, who approved so far, and when it expires — UTC and relative.
 */
export function renderApprovalList(requests: readonly ApprovalStatus[], now: Date = new Date()): SlackMessage {
  if (requests.length === 0) return { text: 'No approval requests are waiting.', blocks: [section('No approval requests are waiting or running.')] };
  const items = requests.map((r) => {
    const asked = `requested by ${mention(r.requester)} ${escapeText(formatAgo(r.createdAt, now))}`;
    const votes = r.approvers.length > 0 ? `${escapeText(r.summary)}: ${r.approvers.map(mention).join(', ')}` : escapeText(r.summary);
    const expiry = r.state === 'pending' ? ` · expires ${escapeText(formatUtc(r.expiresAt))} (${escapeText(formatAgo(r.expiresAt, now))})` : '';
    const would = r.facts.length > 0 ? `\n    would: ${factsLine(r.facts)}` : '';
    return `• \`${escapeText(r.id)}\` *${escapeText(r.action)}* ${asked} · ${escapeText(r.headline)} · ${votes}${expiry}${would}`;
  });
  const title = `${plural(requests.length, 'open approval request')}`;
  return { text: title, blocks: [section(`*${escapeText(title)}*`), ...linesAsSections(items, 5)] };
}

export function renderAuditTail(rows: readonly AuditRecord[]): SlackMessage {
  if (rows.length === 0) return { text: 'The audit log is empty.', blocks: [section('The audit log is empty.')] };
  const lines = rows.map((r) => `\`${r.id}\` ${escapeText(r.time.slice(0, 19).replace('T', ' '))} ${mention(r.actor)} *${escapeText(r.event)}*${r.target ? ` ${code(r.target, 150)}` : ''}`);
  const title = rows.length === 1 ? 'The last audit event' : `Last ${rows.length} audit events`;
  return { text: title, blocks: [section(`*${title}*, oldest first (times UTC)`), ...linesAsSections(lines)] };
}

export function renderAuditVerify(result: AuditVerifyResult): SlackMessage {
  const head = `${result.head.id}:${result.head.hash.slice(0, 12)}`;
  const text = result.ok
    ? `:white_check_mark: Audit chain intact: ${plural(result.checked, 'row')}, head \`${escapeText(head)}\`.`
    : `:rotating_light: Audit chain broken at row ${result.firstBroken?.id ?? '?'}: ${safeText(result.firstBroken?.detail ?? 'unknown reason', 1000)} (${plural(result.checked, 'row')} verified before it).`;
  return { text, blocks: [section(text)] };
}
