/**
 * @module bot/approver-directory
 * The approval engine's `ApproverDirectory`, answered by Slack at the moment of each click:
 * `users.info` for what the account is (deleted, bot, guest, workspace), and membership from
 * SLACK_APPROVERS and/or the SLACK_APPROVER_GROUP user group. The group list is cached for at most
 * 60 s (usergroups.users.list is Tier 2); the user record is never cached, so a deactivation or a
 * guest conversion counts on the very next click. The execution-time re-check (DESIGN §6) asks
 * with `fresh`, so someone removed from the group a moment ago no longer counts either.
 */
import type { webApi } from '@slack/bolt';
import type { ApproverDirectory, DirectoryEntry } from '../core/approvals/index.js';
import { systemClock, type Clock } from '../core/clock.js';

export interface SlackApproverDirectoryOptions {
  client: webApi.WebClient;
  /** SLACK_APPROVERS. */
  approvers?: readonly string[];
  /** SLACK_APPROVER_GROUP. */
  approverGroup?: string;
  clock?: Clock;
  /** How long a fetched group member list is trusted; at most 60 s. */
  groupTtlMs?: number;
}

const MAX_GROUP_TTL_MS = 60_000;

export class SlackApproverDirectory implements ApproverDirectory {
  readonly #client: webApi.WebClient;
  readonly #approvers: ReadonlySet<string>;
  readonly #group: string | undefined;
  readonly #clock: Clock;
  readonly #groupTtlMs: number;
  #cached: { members: ReadonlySet<string>; fetchedAt: number } | undefined;
  #fetching: Promise<ReadonlySet<string>> | undefined;

  constructor({ client, approvers = [], approverGroup, clock = systemClock, groupTtlMs = MAX_GROUP_TTL_MS }: SlackApproverDirectoryOptions) {
    this.#client = client;
    this.#approvers = new Set(approvers);
    this.#group = approverGroup;
    this.#clock = clock;
    this.#groupTtlMs = Math.min(groupTtlMs, MAX_GROUP_TTL_MS);
  }

  /** `undefined` for an unknown user; rejects when Slack cannot answer (the engine refuses then). */
  async lookup(userId: string, options: { fresh?: boolean } = {}): Promise<DirectoryEntry | undefined> {
    let user: webApi.UsersInfoResponse['user'];
    try {
      ({ user } = await this.#client.users.info({ user: userId }));
    } catch (error) {
      const code = (error as { data?: { error?: unknown } }).data?.error;
      if (code === 'user_not_found' || code === 'user_not_visible') return undefined;
      throw error;
    }
    if (!user) return undefined;
    return {
      authorised: await this.#isApprover(userId, options.fresh === true),
      deleted: user.deleted === true,
      isBot: user.is_bot === true,
      isRestricted: user.is_restricted === true,
      isUltraRestricted: user.is_ultra_restricted === true,
      ...(typeof user.team_id === 'string' ? { teamId: user.team_id } : {}),
    };
  }

  async #isApprover(userId: string, fresh: boolean): Promise<boolean> {
    if (this.#approvers.has(userId)) return true;
    if (this.#group === undefined) return false;
    return (await this.#groupMembers(fresh)).has(userId);
  }

  /** `fresh`: ignore the cache (the execution-time re-check); concurrent lookups still share one fetch. */
  async #groupMembers(fresh: boolean): Promise<ReadonlySet<string>> {
    const now = this.#clock().getTime();
    if (!fresh && this.#cached && now - this.#cached.fetchedAt < this.#groupTtlMs) return this.#cached.members;
    // Concurrent clicks share one fetch instead of each spending a Tier 2 call.
    this.#fetching ??= this.#client.usergroups.users
      .list({ usergroup: this.#group as string })
      .then(({ users }) => {
        const members = new Set(users ?? []);
        this.#cached = { members, fetchedAt: this.#clock().getTime() };
        return members;
      })
      .finally(() => {
        this.#fetching = undefined;
      });
    return this.#fetching;
  }
}
