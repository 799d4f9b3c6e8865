/**
 * @module bot/blocks/restore-picker
 * `/vault restore` with no argument: an ephemeral static_select of recent backups. Choosing one
 * creates the approval request exactly as `/vault restore <key>` would.
 */
import type { ParsedObjectName } from '../../core/backup/object-names.js';
import { capText, code, LIMITS } from '../text.js';
import { ACTION } from './action-ids.js';
import { context, section, type SlackMessage } from './kit.js';

/** Slack allows 100 options; people pick from the last few days. */
export const PICKER_OPTIONS = 25;
/** Option values are capped at 150 characters by Slack; longer keys are left out of the picker. */
const OPTION_VALUE_MAX = 150;

export function renderRestorePicker(backups: readonly ParsedObjectName[], target: 'prod' | 'staging'): SlackMessage {
  const usable = backups.filter((b) => b.key.length <= OPTION_VALUE_MAX).slice(0, PICKER_OPTIONS);
  if (usable.length === 0) {
    return { text: 'There are no backups to restore yet.', blocks: [section('There are no backups to restore yet. Take one with `/vault backup now`.')] };
  }
  const where = target === 'prod' ? 'production' : 'staging';
  return {
    text: `Pick a backup to restore into ${where}`,
    blocks: [
      {
        type: 'section',
        block_id: `restore_pick:${target}`,
        text: { type: 'mrkdwn', text: `Pick a backup to restore into *${where}*. Two other approvers must approve before anything runs.` },
        accessory: {
          type: 'static_select',
          action_id: ACTION.restorePick,
          placeholder: { type: 'plain_text', text: 'Choose a backup' },
          options: usable.map((b) => ({
            text: { type: 'plain_text' as const, text: capText(`${b.takenAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${b.kind}`, LIMITS.optionText) },
            value: b.key,
          })),
        },
      },
      context(`Newest first. Or type ${code('/vault restore <YYYY-MM-DD|latest|key>')}.`),
    ],
  };
}
