/**
 * @module handlers/alert-ack
 * The Acknowledge button on an alert. The click is checked for shape (button, alert id, block)
 * and handed to the alert engine with the clicker's id and workspace; the engine decides who may
 * acknowledge (the approver directory, at click time), records it once, audits it and updates the
 * message. The handler only tells the clicker privately when nothing was changed.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { noticeReply } from '../bot/blocks/command-replies.js';
import { clicksTotal } from '../bot/metrics.js';
import { yieldAfterAck } from './ack-first.js';
import type { HandlerDeps } from './deps.js';
import { ephemeralReply } from './ephemeral-reply.js';
import { replyWithError } from './reply-error.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const ALERT_ID = /^\d{1,12}$/;

export function alertAckButton(deps: HandlerDeps) {
  return async function onAlertAck({ ack, body, respond }: ButtonArgs): Promise<void> {
    await ack();
    await yieldAfterAck();
    const action = body.actions[0];
    const log = deps.logger.child({ button: 'alert_ack', user: body.user.id });
    if (action?.type !== 'button' || typeof action.value !== 'string' || !ALERT_ID.test(action.value) || action.block_id !== `alert_actions:${action.value}`) {
      log.warn('ignored a malformed alert click');
      return;
    }
    clicksTotal.inc({ button: 'alert_ack' });
    const tell = ephemeralReply(respond, log);
    try {
      const result = await deps.alerts.acknowledge(Number(action.value), body.user.id, body.user.team_id ?? body.team?.id ?? '');
      switch (result.outcome) {
        case 'acknowledged':
          return;
        case 'already_acknowledged':
          return tell(noticeReply(`This alert was already acknowledged${result.alert.ackedBy ? ` by <@${result.alert.ackedBy}>` : ''}; nothing was changed.`, ':information_source:'));
        case 'already_resolved':
          return tell(noticeReply('This alert has already resolved; nothing was changed.', ':information_source:'));
        case 'not_found':
          return tell(noticeReply('There is no such alert; see /vault alerts for what is firing.'));
        case 'refused':
          log.info({ reason: result.reason }, 'alert acknowledge refused');
          return tell(noticeReply(result.reason, ':no_entry:'));
      }
    } catch (error) {
      await replyWithError(tell, error, log, 'alert acknowledge');
    }
  };
}
