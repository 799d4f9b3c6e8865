/**
 * @module handlers/run-approved
 * After the approval that reached the threshold: run the action through the engine (which claims
 * it exactly once), then show the outcome in the request's thread and on the parent message.
 */
import { resultReply, runningReply } from '../bot/blocks/thread-replies.js';
import type { HandlerDeps } from './deps.js';

export async function runApproved(deps: HandlerDeps, requestId: string, actor: string): Promise<void> {
  const { approvals, messenger } = deps;
  const log = deps.logger.child({ requestId });
  const before = approvals.status(requestId);
  if (before?.state !== 'approved') return;
  // Claim and run first; the thread notes queue behind it, so a slow or rate-limited Slack
  // never delays an emergency seal (the per-request queue keeps them in order).
  void messenger.reply(requestId, runningReply(before));
  const run = await deps.work.track(approvals.execute(requestId, { actor }));
  if (run.outcome === 'succeeded' || run.outcome === 'failed') {
    log.info({ action: run.status.action, outcome: run.outcome, durationMs: run.status.result?.durationMs }, `approved ${run.status.action} ${run.outcome}`);
    await messenger.reply(requestId, resultReply(run.status));
  } else {
    // Someone else claimed it (another click, another process): they report the result.
    log.info({ outcome: run.outcome }, 'approved request not run here');
  }
  await messenger.refresh(requestId);
}
