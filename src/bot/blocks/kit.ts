/**
 * @module bot/blocks/kit
 * Tiny Block Kit builders that apply the limits every time (section 3000, field 2000, ten fields,
 * context 3000), so no renderer can build a block Slack would refuse. Inputs are mrkdwn that is
 * already escaped; these only cap.
 */
import type { types } from '@slack/bolt';
import { capText, LIMITS } from '../text.js';

export type Block = types.KnownBlock;

/** What a renderer returns: notification text (also the fallback) and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export function section(mrkdwn: string, blockId?: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: capText(mrkdwn || ' ', LIMITS.sectionText) }, ...(blockId ? { block_id: blockId } : {}) };
}

/** Label/value pairs as section fields, ten per section (Slack's limit), values capped. */
export function fieldSections(pairs: ReadonlyArray<{ label: string; value: string }>): types.SectionBlock[] {
  const blocks: types.SectionBlock[] = [];
  for (let i = 0; i < pairs.length; i += LIMITS.fieldsPerSection) {
    blocks.push({
      type: 'section',
      fields: pairs.slice(i, i + LIMITS.fieldsPerSection).map(({ label, value }) => ({
        type: 'mrkdwn' as const,
        text: capText(`*${label}*\n${value}`, LIMITS.sectionField),
      })),
    });
  }
  return blocks;
}

export function context(mrkdwn: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: capText(mrkdwn || ' ', LIMITS.contextText) }] };
}

export function button(
  actionId: string,
  label: string,
  value: string,
  style?: 'primary' | 'danger',
): types.Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text: label }, value, ...(style ? { style } : {}) };
}

/** A whole message from one mrkdwn paragraph, for short answers. */
export function plainMessage(mrkdwn: string): SlackMessage {
  return { text: capText(mrkdwn, LIMITS.messageText), blocks: [section(mrkdwn)] };
}
