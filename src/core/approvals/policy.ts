/**
 * @module approvals/policy
 * The two-person rule as data (DESIGN §6) and the click-time check of who may take part.
 * Floors are policy, not plug-in configuration: an action cannot lower its own floor, and an
 * action the table does not know gets the strictest floor (2).
 */
import type { ApproverDirectory, DirectoryEntry, RefusalReason } from './types.js';

interface ActionPolicy {
  approvalsRequired: number;
  lowestAllowed: number;
  ttlMs: number;
}

const MINUTE = 60_000;

/** DESIGN §6: approvals needed by default, the lowest a configuration may set, and expiry. */
export const ACTION_POLICY: Readonly<Record<string, ActionPolicy>> = Object.freeze({
  restore: { approvalsRequired: 2, lowestAllowed: 2, ttlMs: 30 * MINUTE },
  seal: { approvalsRequired: 2, lowestAllowed: 2, ttlMs: 15 * MINUTE },
  rotate: { approvalsRequired: 2, lowestAllowed: 2, ttlMs: 30 * MINUTE },
  'rotate-secret': { approvalsRequired: 2, lowestAllowed: 2, ttlMs: 30 * MINUTE },
  'rotate-backup-key': { approvalsRequired: 2, lowestAllowed: 2, ttlMs: 30 * MINUTE },
  'rotate-unseal-keys': { approvalsRequired: 2, lowestAllowed: 2, ttlMs: 30 * MINUTE },
  recover: { approvalsRequired: 2, lowestAllowed: 2, ttlMs: 30 * MINUTE },
  drill: { approvalsRequired: 1, lowestAllowed: 0, ttlMs: 30 * MINUTE },
});

/** Future actions: two other people, 30 minutes, until DESIGN says otherwise. */
export const UNKNOWN_ACTION_POLICY: ActionPolicy = Object.freeze({
  approvalsRequired: 2,
  lowestAllowed: 2,
  ttlMs: 30 * MINUTE,
});

export function policyFor(action: string): ActionPolicy {
  return ACTION_POLICY[action] ?? UNKNOWN_ACTION_POLICY;
}

/**
 * Who may request, approve or deny, checked against the directory at the moment of the click.
 * Returns the first reason that rules the user out, or `undefined` when they may take part.
 * The order puts the most specific reason first: a deleted guest is told `deleted`.
 */
export function refuseParticipant(entry: DirectoryEntry | undefined, ourTeamId: string): RefusalReason | undefined {
  if (entry === undefined) return 'not_authorised';
  // A Slack Connect user clicking in a shared channel carries their own workspace's team id.
  if (entry.teamId !== undefined && entry.teamId !== ourTeamId) return 'other_workspace';
  if (entry.deleted) return 'deleted';
  if (entry.isBot) return 'bot';
  if (entry.isRestricted || entry.isUltraRestricted) return 'guest';
  if (!entry.authorised) return 'not_authorised';
  return undefined;
}

/**
 * The full click-time check: the workspace the click came from, then the directory entry.
 * A directory that cannot answer refuses (nothing is recorded) rather than guessing.
 */
export async function checkParticipant(
  directory: ApproverDirectory,
  userId: string,
  clickTeamId: string,
  ourTeamId: string,
  onLookupError: (error: unknown) => void = () => {},
  options: { fresh?: boolean } = {},
): Promise<RefusalReason | undefined> {
  if (clickTeamId !== ourTeamId) return 'other_workspace';
  let entry: DirectoryEntry | undefined;
  try {
    entry = await directory.lookup(userId, options.fresh ? { fresh: true } : undefined);
  } catch (error) {
    onLookupError(error);
    return 'directory_unavailable';
  }
  return refuseParticipant(entry, ourTeamId);
}
