/**
 * @module bot/approval-upkeep
 * The engine's housekeeping made visible in Slack: the periodic expiry sweep (parent → "expired",
 * a note in the thread) and, at start-up, requests cut off by a restart (never re-run, said so in
 * their thread) and requests approved just before it that never started (run now, once).
 */
import type { ApprovalEngine } from '../core/approvals/index.js';
import type { Logger } from '../core/logger.js';
import type { HandlerDeps } from '../handlers/deps.js';
import { runApproved } from '../handlers/run-approved.js';
import type { ApprovalMessenger } from './approval-messenger.js';
import { expiredReply, interruptedReply } from './blocks/thread-replies.js';

export const SWEEP_INTERVAL_MS = 30_000;

/** Expires due requests and shows it; returns how many expired. Never throws. */
export async function sweepExpired(approvals: ApprovalEngine, messenger: ApprovalMessenger, logger: Logger): Promise<number> {
  let expired;
  try {
    expired = approvals.expireDue();
  } catch (error) {
    logger.error({ err: error }, 'approval expiry sweep failed');
    return 0;
  }
  for (const status of expired) {
    logger.info({ requestId: status.id, action: status.action }, 'approval request expired');
    await messenger.refresh(status.id);
    await messenger.reply(status.id, expiredReply(status));
  }
  return expired.length;
}

/** Runs `sweepExpired` every `intervalMs`; the returned function stops it. */
export function startExpirySweep(approvals: ApprovalEngine, messenger: ApprovalMessenger, logger: Logger, intervalMs = SWEEP_INTERVAL_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow Slack must not stack sweeps
    running = true;
    void sweepExpired(approvals, messenger, logger).finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Call once at start-up, before anything can run: requests found `executing` were cut off by the
 * restart; they become `interrupted`, are reported in their thread, and are never re-run (half a
 * restore may have happened).
 */
export async function reportInterrupted(deps: HandlerDeps): Promise<void> {
  const { approvals, messenger, logger } = deps;
  for (const status of approvals.recoverInterrupted()) {
    logger.warn({ requestId: status.id, action: status.action }, 'request was running when the bot stopped; marked interrupted');
    await messenger.reply(status.id, interruptedReply(status));
    await messenger.refresh(status.id);
  }
}

/**
 * Requests approved but never claimed (the process stopped between the last approval and the
 * claim): approved moments ago → run now, as their approvers asked (the claim keeps each to one
 * run across processes); approved long ago → not run, said so in the thread.
 */
export async function resumeApproved(deps: HandlerDeps): Promise<void> {
  const { resume, stale } = deps.approvals.recoverApproved();
  for (const status of stale) {
    deps.logger.warn({ requestId: status.id, action: status.action }, 'approved request never started and is too old to run after a restart; not run');
    await deps.messenger.reply(status.id, interruptedReply(status));
    await deps.messenger.refresh(status.id);
  }
  for (const status of resume) {
    deps.logger.warn({ requestId: status.id, action: status.action }, 'approved request never started before a restart; running it now');
    await runApproved(deps, status.id, 'system');
  }
}
