/**
 * @module handlers/reply-error
 * Errors speak to two audiences: a CoreError's one-sentence `userMessage` goes to the person, a
 * foreign error gets a generic sentence there, and the log gets everything (one line at error,
 * the detail with stack at debug).
 */
import { noticeReply, GENERIC_FAILURE } from '../bot/blocks/command-replies.js';
import { isCoreError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Reply } from './deps.js';

export async function replyWithError(reply: Reply, error: unknown, logger: Logger, what: string): Promise<void> {
  if (isCoreError(error)) {
    logger.info({ code: error.code }, `${what}: ${error.userMessage}`);
    logger.debug({ err: error }, `${what} error detail`);
    await reply(noticeReply(error.userMessage));
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error({ errName: error instanceof Error ? error.name : typeof error }, `${what} failed unexpectedly: ${message.slice(0, 300)}`);
  logger.debug({ err: error }, `${what} error detail`);
  await reply(noticeReply(GENERIC_FAILURE, ':x:'));
}
