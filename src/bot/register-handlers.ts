/**
 * @module bot/register-handlers
 * Which Slack input reaches which handler: the `/vault` command, the three approval buttons and
 * the restore picker. The only place that knows the routing.
 */
import type { App } from '@slack/bolt';
import { approveButton, cancelButton, denyButton } from '../handlers/approval-buttons.js';
import type { HandlerDeps } from '../handlers/deps.js';
import { restorePick } from '../handlers/restore-pick.js';
import { alertAckButton } from '../handlers/alert-ack.js';
import { shareGuard } from '../handlers/share-guard.js';
import { vaultCommand } from '../handlers/vault-command.js';
import { ACTION } from './blocks/action-ids.js';

export const COMMAND = '/vault';

export function registerHandlers(app: App, deps: HandlerDeps): void {
  app.command(COMMAND, vaultCommand(deps));
  app.action({ type: 'block_actions', action_id: ACTION.approve }, approveButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.deny }, denyButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.cancel }, cancelButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.restorePick }, restorePick(deps));
  app.action({ type: 'block_actions', action_id: ACTION.alertAck }, alertAckButton(deps));
  // Thread replies under rekey and seal requests, for messages that look like key shares.
  app.event('message', shareGuard(deps));
}
