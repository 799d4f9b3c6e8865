/**
 * @module handlers/approval-buttons
 * Approve, Deny and Cancel on a request message. A click is checked for shape (button, request id)
 * and handed to the engine with the clicker's id and workspace; the engine decides (self-approval,
 * authorisation at click time, guests, bots, expiry, threshold, exactly-once). The handler only
 * shows the outcome: a thread reply for a decision, a private line for a refusal, and a re-render
 * of the parent from the engine's state, so a message left stale by a failed update catches up.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { REQUEST_ID } from '../bot/blocks/action-ids.js';
import { noticeReply } from '../bot/blocks/command-replies.js';
import { clicksTotal } from '../bot/metrics.js';
import { approvedReply, cancelledReply, deniedReply } from '../bot/blocks/thread-replies.js';
import { refusalMessage, type ApprovalStatus, type RefusalReason } from '../core/approvals/index.js';
import type { Logger } from '../core/logger.js';
import { yieldAfterAck } from './ack-first.js';
import type { HandlerDeps, Reply } from './deps.js';
import { replyWithError } from './reply-error.js';
import { runApproved } from './run-approved.js';
import { ephemeralReply } from './ephemeral-reply.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

interface Click {
  requestId: string;
  userId: string;
  teamId: string;
}

type Decide = (deps: HandlerDeps, click: Click, tell: Reply, log: Logger) => Promise<void>;

/** Reads and checks the click; anything malformed is dropped with a log line (Slack never sends it). */
function readClick(body: BlockAction): Click | undefined {
  const action = body.actions[0];
  if (action?.type !== 'button' || typeof action.value !== 'string' || !REQUEST_ID.test(action.value)) return undefined;
  // The buttons sit in the block `approval:<id>`; a value that disagrees was not made by us.
  if (action.block_id !== `approval:${action.value}`) return undefined;
  // The workspace of the click: a Slack Connect user carries their own team id (checked by the engine).
  const teamId = body.user.team_id ?? body.team?.id ?? '';
  return { requestId: action.value, userId: body.user.id, teamId };
}

function buttonHandler(deps: HandlerDeps, name: string, decide: Decide) {
  return async function onButton({ ack, body, respond }: ButtonArgs): Promise<void> {
    await ack();
    await yieldAfterAck();
    const click = readClick(body);
    const log = deps.logger.child({ button: name, user: body.user.id, ...(click ? { requestId: click.requestId } : {}) });
    if (!click) {
      log.warn('ignored a malformed approval click');
      return;
    }
    clicksTotal.inc({ button: name });
    const tell = ephemeralReply(respond, log);
    try {
      await decide(deps, click, tell, log);
    } catch (error) {
      await replyWithError(tell, error, log, `${name} click`);
    }
  };
}

async function refused(deps: HandlerDeps, click: Click, tell: Reply, log: Logger, reason: RefusalReason, status?: ApprovalStatus): Promise<void> {
  log.info({ reason }, 'click refused');
  await tell(noticeReply(refusalMessage(reason), ':no_entry:'));
  if (status) await deps.messenger.refresh(click.requestId);
}

const approve: Decide = async (deps, click, tell, log) => {
  const result = await deps.approvals.approve(click);
  switch (result.outcome) {
    case 'refused':
      return refused(deps, click, tell, log, result.reason, result.status);
    case 'already_recorded':
      await tell(noticeReply('You already approved this request; your approval counts once.', ':information_source:'));
      return deps.messenger.refresh(click.requestId);
    case 'recorded':
      await deps.messenger.reply(click.requestId, approvedReply(click.userId, result.status));
      return deps.messenger.refresh(click.requestId);
    case 'threshold_reached':
      // Queued, not awaited: the action must not wait for Slack (see runApproved).
      void deps.messenger.reply(click.requestId, approvedReply(click.userId, result.status));
      void deps.messenger.refresh(click.requestId);
      return runApproved(deps, click.requestId, click.userId);
  }
};

const deny: Decide = async (deps, click, tell, log) => {
  const result = await deps.approvals.deny(click);
  switch (result.outcome) {
    case 'refused':
      return refused(deps, click, tell, log, result.reason, result.status);
    case 'already_recorded':
      await tell(noticeReply('You already denied this request.', ':information_source:'));
      return deps.messenger.refresh(click.requestId);
    case 'denied':
      await deps.messenger.reply(click.requestId, deniedReply(click.userId));
      return deps.messenger.refresh(click.requestId);
    case 'cancelled':
      await deps.messenger.reply(click.requestId, cancelledReply(click.userId));
      return deps.messenger.refresh(click.requestId);
  }
};

const cancel: Decide = async (deps, click, tell, log) => {
  const result = await deps.approvals.cancel(click);
  switch (result.outcome) {
    case 'refused':
      return refused(deps, click, tell, log, result.reason, result.status);
    case 'already_cancelled':
      await tell(noticeReply('This request is already cancelled.', ':information_source:'));
      return deps.messenger.refresh(click.requestId);
    case 'cancelled':
      await deps.messenger.reply(click.requestId, cancelledReply(click.userId));
      return deps.messenger.refresh(click.requestId);
  }
};

export const approveButton = (deps: HandlerDeps) => buttonHandler(deps, 'approve', approve);
export const denyButton = (deps: HandlerDeps) => buttonHandler(deps, 'deny', deny);
export const cancelButton = (deps: HandlerDeps) => buttonHandler(deps, 'cancel', cancel);
