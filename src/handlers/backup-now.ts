/**
 * @module handlers/backup-now
 * `/vault backup now`: start a manual backup in the background and answer at once. The result is
 * posted by the Slack notifier (✅ in the ops channel, or a page when it fails); the asker also
 * gets a private line with the outcome. A second `backup now` while one from Slack is queued or
 * running does not start another: it says who started that one and when.
 */
import { noticeReply } from '../bot/blocks/command-replies.js';
import { mention } from '../bot/text.js';
import type { BackupEngine } from '../core/backup-engine.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { replyWithError } from './reply-error.js';

/** The manual backup this bot's engine has queued or running, per engine (one per running bot). */
const inFlight = new WeakMap<BackupEngine, { userId: string; at: Date }>();

export async function startBackupNow(deps: HandlerDeps, asker: Asker, reply: Reply, reason?: string): Promise<void> {
  const log = deps.logger.child({ job: 'backup-now', user: asker.userId });
  const current = inFlight.get(deps.backups);
  if (current) {
    await reply(
      noticeReply(
        `A manual backup started by ${mention(current.userId)} at ${utcTime(current.at)} is still queued or running, so no second one was started; its result will be posted in the ops channel.`,
        ':hourglass_flowing_sand:',
      ),
    );
    return;
  }
  const started = { userId: asker.userId, at: deps.clock() };
  inFlight.set(deps.backups, started);
  // A scheduled (or CLI) run in progress: this one queues behind it, and the asker is told so.
  const running = deps.backups.catalogue.runningRun();
  const behind = running ? ` It is queued behind the ${running.kind} backup that started at ${utcTime(new Date(running.startedAt))}.` : '';
  await reply(noticeReply(`Manual backup started; the result will be posted in the ops channel.${behind}`, ':hourglass_flowing_sand:'));
  // Not awaited: a large snapshot takes minutes and the command has long been answered.
  void deps.work
    .track(deps.backups.backup('manual', asker.userId, reason))
    .finally(() => {
      if (inFlight.get(deps.backups) === started) inFlight.delete(deps.backups);
    })
    .then((outcome) =>
      reply(
        outcome.ok
          ? noticeReply(`Backup ${outcome.report.key} is stored and verified.`, ':white_check_mark:')
          : noticeReply(`The backup failed at ${outcome.step}: ${outcome.error.userMessage}`, ':x:'),
      ),
    )
    .catch((error: unknown) => replyWithError(reply, error, log, 'backup now'));
}

/** `2025-11-26 14:05:09 UTC`. */
function utcTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
