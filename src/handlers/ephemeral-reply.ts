/**
 * @module handlers/ephemeral-reply
 * Bolt's `respond()` as the handlers' `Reply`: an ephemeral answer to the person who typed or
 * clicked, through the interaction's response_url. A lost answer is logged, never re-raised,
 * because the work it reports on has already been done.
 */
import type { RespondFn } from '@slack/bolt';
import type { SlackMessage } from '../bot/blocks/kit.js';
import { summariseSlackError } from '../bot/slack-errors.js';
import type { Logger } from '../core/logger.js';
import type { Reply } from './deps.js';

/** `replaceOriginal`: replace the message that was clicked (the restore picker) instead of adding one. */
export function ephemeralReply(respond: RespondFn, log: Logger, replaceOriginal = false): Reply {
  return async (message: SlackMessage) => {
    try {
      await respond({ response_type: 'ephemeral', replace_original: replaceOriginal, text: message.text, blocks: message.blocks });
    } catch (error) {
      const { detail } = summariseSlackError(error);
      log.warn({ detail }, `could not answer through response_url (${detail})`);
    }
  };
}
