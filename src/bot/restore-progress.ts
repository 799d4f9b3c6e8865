/**
 * @module bot/restore-progress
 * A running restore's progress lines, posted in its request's thread as the drills' are
 * (`:hourglass_flowing_sand: Downloading daily/…enc: 412.0 MiB of 1.0 GiB (40 %), 95.1 MiB/s`).
 */
import type { RestoreProgress } from '../core/actions/restore-action.js';
import type { ApprovalMessenger } from './approval-messenger.js';
import { plainMessage } from './blocks/kit.js';
import { escapeText } from './text.js';

/** `messenger` is asked for when a line is posted (it is made after the actions are registered). */
export function restoreProgressInThread(messenger: () => ApprovalMessenger, intervalMs?: number): RestoreProgress {
  return {
    lineFor: (requestId) => (line) => messenger().reply(requestId, plainMessage(`:hourglass_flowing_sand: ${escapeText(line)}`)),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
  };
}
