/**
 * @module bot/blocks/drill-messages
 * `/vault drills`: the drill history, one line per drill (scenario, when, verdict, measured time
 * against its target); and a scheduled drill's report posted in the ops channel.
 */
import { drillReportLines, formatMs, targetText, type DrillReport } from '../../core/drills/index.js';
import { escapeText, mention, safeText } from '../text.js';
import { context, section, type Block, type SlackMessage } from './kit.js';

const LINES_PER_SECTION = 10;
const ICON: Record<DrillReport['status'], string> = { passed: ':white_check_mark:', failed: ':x:', running: ':gear:', interrupted: ':warning:' };

export function renderDrillList(drills: readonly DrillReport[]): SlackMessage {
  if (drills.length === 0) {
    return { text: 'No drills yet.', blocks: [section('No drills have run yet. Start one with `/vault drill restore-test`.')] };
  }
  const lines = drills.map((d) => {
    const measured = d.durationMs === null ? '' : ` · ${escapeText(formatMs(d.durationMs))} (${escapeText(targetText(d))})`;
    const who = d.trigger === 'slack' ? mention(d.actor) : escapeText(d.trigger);
    const failures = d.failures.length ? ` · ${d.failures.length} failure${d.failures.length === 1 ? '' : 's'}` : '';
    return `${ICON[d.status]} \`#${d.id}\` *${escapeText(d.scenario)}* ${escapeText(d.status)} · ${escapeText(d.startedAt.slice(0, 16).replace('T', ' '))} UTC · ${who}${measured}${failures}`;
  });
  const what = `Last ${drills.length} drill${drills.length === 1 ? '' : 's'}`;
  const blocks: Block[] = [section(`*${what}*, newest first`)];
  for (let i = 0; i < lines.length; i += LINES_PER_SECTION) blocks.push(section(lines.slice(i, i + LINES_PER_SECTION).join('\n')));
  blocks.push(context(`Run one with \`${escapeText('/vault drill <restore-test|backup-integrity|seal|rotation>')}\`.`));
  return { text: what, blocks };
}

/** A drill run by the schedule, as one channel message. */
export function renderDrillReport(report: DrillReport): SlackMessage {
  const [first = '', ...rest] = drillReportLines(report);
  const text = `${ICON[report.status]} ${safeText(first, 300)}`;
  return { text, blocks: [section(text), section(`\`\`\`${safeText(rest.join('\n'), 2800)}\`\`\``)] };
}

/** The asker's private answer after `/vault report`: where the file went, and the audit chain's state. */
export function reportUploadedReply(range: { from: string; to: string }, filename: string, channel: string, chainOk: boolean): SlackMessage {
  const chain = chainOk ? 'the audit chain verifies' : '*the audit chain does NOT verify* (see the report)';
  const text = `${chainOk ? ':page_facing_up:' : ':rotating_light:'} The compliance report for ${escapeText(range.from)} to ${escapeText(range.to)} (${escapeText(filename)}) is uploaded to <#${channel}>; ${chain}.`;
  return { text, blocks: [section(text)] };
}
