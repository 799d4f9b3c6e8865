/**
 * @module handlers/backup-now
 * `/vault backup now`: start a manual backup in the background and answer at once. The result is
 * posted by the Slack notifier (✅ in the ops channel, or a page when it fails); the asker also
 * gets a private line with the outcome.
 */
import { noticeReply } from '../bot/blocks/command-replies.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { replyWithError } from './reply-error.js';

export async function startBackupNow(deps: HandlerDeps, asker: Asker, reply: Reply, reason?: string): Promise<void> {
  const log = deps.logger.child({ job: 'backup-now', user: asker.userId });
  await reply(noticeReply('Manual backup started; the result will be posted in the ops channel.', ':hourglass_flowing_sand:'));
  // Not awaited: a large snapshot takes minutes and the command has long been answered.
  void deps.work
    .track(deps.backups.backup('manual', asker.userId, reason))
    .then((outcome) =>
      reply(
        outcome.ok
          ? noticeReply(`Backup ${outcome.report.key} is stored and verified.`, ':white_check_mark:')
          : noticeReply(`The backup failed at ${outcome.step}: ${outcome.error.userMessage}`, ':x:'),
      ),
    )
    .catch((error: unknown) => replyWithError(reply, error, log, 'backup now'));
}
