/**
 * @module handlers/share-guard
 * Watches thread replies under rekey and seal requests: a message that looks like an unseal key
 * share is deleted where the bot may delete it (a bot token gets `cant_delete_message` for other
 * people's messages unless an admin allowed more) and warned about either way. The message text
 * is never logged, audited or quoted; only who posted it and whether it could be deleted.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { shareWarningReply } from '../bot/blocks/rotation-messages.js';
import { summariseSlackError } from '../bot/slack-errors.js';
import { ROTATE_UNSEAL_KEYS_ACTION } from '../core/actions/rotate-unseal-keys.js';
import { looksLikeKeyShare } from '../core/rotation/share-shape.js';
import type { HandlerDeps } from './deps.js';

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** Requests whose threads key holders talk in: a rekey, and a seal (they unseal afterwards). */
const GUARDED = new Set<string>([ROTATE_UNSEAL_KEYS_ACTION, 'seal']);
const RECENT = 200;

export function shareGuard(deps: HandlerDeps) {
  return async function onThreadMessage({ event, client }: MessageArgs): Promise<void> {
    if (event.subtype !== undefined && event.subtype !== 'thread_broadcast') return;
    const { channel, ts } = event;
    const threadTs = 'thread_ts' in event ? event.thread_ts : undefined;
    const text = 'text' in event ? event.text : undefined;
    const user = 'user' in event ? event.user : undefined;
    if (!threadTs || !text || !user || threadTs === ts || !looksLikeKeyShare(text)) return;
    const request = deps.approvals
      .list({ states: ['pending', 'approved', 'executing', 'succeeded', 'failed', 'interrupted', 'denied', 'cancelled', 'expired'], limit: RECENT })
      .find((r) => GUARDED.has(r.action) && r.messageRef?.channel === channel && r.messageRef.ts === threadTs);
    if (!request) return;

    let deleted = false;
    let slackError: string | undefined;
    try {
      await client.chat.delete({ channel, ts });
      deleted = true;
    } catch (error) {
      slackError = summariseSlackError(error).detail;
    }
    const log = deps.logger.child({ requestId: request.id, user });
    log.warn({ deleted, slackError }, deleted ? 'deleted a thread message that looked like a key share' : 'a thread message looks like a key share and could not be deleted');
    deps.audit.append({ actor: user, event: 'rotation.share_pasted', target: request.id, details: { deleted, ...(slackError ? { slackError } : {}) } });
    await deps.messenger.reply(request.id, shareWarningReply(user, deleted));
  };
}
