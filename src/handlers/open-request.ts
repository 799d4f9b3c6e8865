/**
 * @module handlers/open-request
 * The shared half of `/vault restore` and `/vault seal`: ask the engine for a request (it checks
 * that the asker may request), post the one channel message people approve on, and tell the asker.
 */
import { noticeReply, requestPostedReply } from '../bot/blocks/command-replies.js';
import { refusalMessage } from '../core/approvals/index.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { runApproved } from './run-approved.js';

export interface RequestSpec {
  action: 'restore' | 'seal' | 'recover' | 'drill' | 'rotate-secret' | 'rotate-backup-key' | 'rotate-unseal-keys';
  params: object;
  reason?: string;
}

export async function openRequest(deps: HandlerDeps, asker: Asker, reply: Reply, spec: RequestSpec): Promise<void> {
  const made = await deps.approvals.request({
    action: spec.action,
    params: spec.params,
    requesterId: asker.userId,
    teamId: asker.teamId,
    ...(spec.reason ? { reason: spec.reason } : {}),
  });
  if (made.outcome === 'refused') {
    await reply(noticeReply(refusalMessage(made.reason), ':no_entry:'));
    return;
  }
  const { status } = made;
  const log = deps.logger.child({ requestId: status.id, action: status.action });
  try {
    await deps.messenger.announce(status);
  } catch (error) {
    // Nobody can approve a request nobody can see: cancel it instead of leaving it to expire.
    log.error({ err: error }, 'could not post the approval request; cancelling it');
    await deps.approvals.cancel({ requestId: status.id, userId: asker.userId });
    await reply(noticeReply('Could not post the request in the ops channel, so it was cancelled. Check that the bot is in SLACK_OPS_CHANNEL, then try again.', ':x:'));
    return;
  }
  log.info({ requester: asker.userId }, `${status.action} requested`);
  await reply(requestPostedReply(status.id, status.action, deps.opsChannel, status.required, status.expiresAt));
  // Only an action configured with no approvals is approved at once (none of ours today).
  if (status.state === 'approved') await runApproved(deps, status.id, asker.userId);
}
