/**
 * @module handlers/restore-pick
 * A choice in the `/vault restore` picker: the selected object key becomes a restore request,
 * exactly as `/vault restore <key>` would, and the picker is replaced by the answer.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { yieldAfterAck } from './ack-first.js';
import type { HandlerDeps } from './deps.js';
import { replyWithError } from './reply-error.js';
import { requestRestore } from './restore.js';
import { ephemeralReply } from './ephemeral-reply.js';

type SelectArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function restorePick(deps: HandlerDeps) {
  return async function onRestorePick({ ack, body, respond }: SelectArgs): Promise<void> {
    await ack();
    await yieldAfterAck();
    const action = body.actions[0];
    const log = deps.logger.child({ select: 'restore_pick', user: body.user.id });
    if (action?.type !== 'static_select' || !action.selected_option?.value) {
      log.warn('ignored a malformed restore pick');
      return;
    }
    // The picker's block id carries the target it was opened for.
    const target = action.block_id.endsWith(':staging') ? 'staging' : 'prod';
    const reply = ephemeralReply(respond, log, true);
    const asker = { userId: body.user.id, teamId: body.user.team_id ?? body.team?.id ?? '', channelId: body.channel?.id ?? '' };
    try {
      await requestRestore(deps, asker, reply, action.selected_option.value, target);
    } catch (error) {
      await replyWithError(reply, error, log, 'restore pick');
    }
  };
}
