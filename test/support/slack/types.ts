/**
 * @module types The public shapes of the Slack test harness: what the fake Web API is configured
 * with, what it records, and the messages it holds. Field names follow Slack's own JSON (snake_case)
 * so a test can compare a recorded message with what Slack would send or return.
 */
import type { Clock } from '../../../src/core/clock.js';

/** A Block Kit block or element as it travels on the wire; the fake must also hold invalid ones. */
export type Block = { type: string; block_id?: string; [key: string]: unknown };

/** The value of a decoded Web API argument: a string from a form body, or JSON for the JSON fields. */
export type ApiArgs = Record<string, unknown>;

/** A user as `users.info` returns it (reference §4). */
export interface SlackUser {
  id: string;
  team_id: string;
  name: string;
  real_name: string;
  deleted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  is_admin: boolean;
  is_owner: boolean;
  /** Multi-channel guest. */
  is_restricted: boolean;
  /** Single-channel guest. */
  is_ultra_restricted: boolean;
  tz: string;
  tz_label: string;
  tz_offset: number;
  profile: { real_name: string; display_name: string; email?: string };
  updated: number;
}

/** What a test gives for a user; everything but `id` has a plain-member default. */
export type SlackUserSeed = Partial<Omit<SlackUser, 'profile'>> & {
  id: string;
  profile?: Partial<SlackUser['profile']>;
};

export interface SlackChannel {
  id: string;
  name: string;
  /** User IDs in the channel; the bot's own user must be here to post (`not_in_channel`). */
  members: string[];
  is_archived: boolean;
  /** A DM between the app and one user, made on demand when `channel` is a user ID. */
  is_im: boolean;
}

export interface SlackChannelSeed {
  id: string;
  name?: string;
  /** Default: every seeded user plus the bot user. */
  members?: string[];
  is_archived?: boolean;
}

export interface FakeSlackOptions {
  teamId?: string;
  teamDomain?: string;
  teamName?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  /** Tokens the fake accepts; the first is reported as `botToken`. Default `['xoxb-fake-vault-chatops']`. */
  tokens?: string[];
  /** Default: one channel `C0VAULTOPS` (`vault-ops`) with everyone in it. The first is `defaultChannel`. */
  channels?: SlackChannelSeed[];
  users?: SlackUserSeed[];
  /** User group ID → member user IDs (`usergroups.users.list`). */
  usergroups?: Record<string, string[]>;
  /** Drives `ts` values, trigger and response_url expiry. Default: the system clock. */
  clock?: Clock;
  /** How long a trigger_id stays usable; Slack says about 3 s. */
  triggerTtlMs?: number;
}

/** One earlier version of a message, kept when `chat.update` or `replace_original` changes it. */
export interface MessageVersion {
  text: string;
  blocks?: Block[];
  attachments?: unknown[];
  /** When this version was replaced (a Slack-style ts). */
  replaced_at: string;
}

/** A message in the fake's channel model, shaped like Slack's message object plus harness fields. */
export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: Block[];
  attachments?: unknown[];
  metadata?: unknown;
  /** Author: the bot's user ID for messages the app posted. */
  user: string;
  bot_id?: string;
  app_id?: string;
  team: string;
  reply_broadcast?: boolean;
  edited?: { user: string; ts: string };
  /** Harness: how the message got here. */
  source: 'chat.postMessage' | 'response_url' | 'command_ack' | 'seed' | 'files.completeUploadExternal';
  /** Files shared with the message (files.completeUploadExternal). */
  files?: Array<{ id: string; name: string; title: string; size: number }>;
  /** Harness: earlier versions, oldest first. */
  history: MessageVersion[];
}

/** An ephemeral message ("Only visible to you"), from `chat.postEphemeral` or a response_url / ack reply. */
export interface EphemeralMessage {
  ephemeral: true;
  channel: string;
  /** The one user who sees it. */
  user: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: Block[];
  attachments?: unknown[];
  source: 'chat.postEphemeral' | 'response_url' | 'command_ack';
  history: MessageVersion[];
  /** Set when a response_url `delete_original` removed it. */
  deleted?: boolean;
}

/** A JSON body posted to a response_url (what Bolt's `respond()` sends). */
export interface ResponseUrlMessage {
  text?: string;
  blocks?: Block[];
  attachments?: unknown[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
  delete_original?: boolean;
  thread_ts?: string;
  [key: string]: unknown;
}

/** Where a response_url's replies land: the user and channel of the interaction and its source message. */
export interface ResponseUrlContext {
  channel: string;
  user: string;
  /** The channel message a button was clicked on (for replace_original / delete_original). */
  messageTs?: string;
  /** Set instead when the clicked message was ephemeral. */
  ephemeralTs?: string;
}

/** One request the fake answered: a Web API call, or a response_url POST (method `response_url`). */
export interface RecordedCall {
  method: string;
  /** Decoded arguments (form strings, JSON fields parsed), or the response_url body. */
  args: ApiArgs;
  token?: string;
  /** Set for response_url posts. */
  url?: string;
  /** Clock time of the request, ms since the epoch. */
  time: number;
  status: number;
  ok: boolean;
  error?: string;
  /** The body the fake answered with. */
  response: unknown;
}

/** A fault for `failNext`. */
export interface FaultSpec {
  /** Slack error code; default `ratelimited` for 429, otherwise required. */
  error?: string;
  /** HTTP status; default 429 for `ratelimited`, else 200 (Slack's platform errors are HTTP 200). */
  status?: number;
  /** Seconds for the 429 `Retry-After` header (an integer, as Slack sends). Default 1. */
  retryAfter?: number;
  /** How many consecutive calls fail. Default 1. */
  times?: number;
  /** Extra fields merged into the error body, e.g. `{ needed: 'chat:write' }` for `missing_scope`. */
  extra?: Record<string, unknown>;
}

/** A modal opened through `views.open`. */
export interface OpenedView {
  trigger_id: string;
  view: Record<string, unknown>;
  user?: string;
}

/** Who the app under test is in the fake workspace. */
export interface AppIdentity {
  teamId: string;
  teamDomain: string;
  teamName: string;
  appId: string;
  botUserId: string;
  botId: string;
  botName: string;
}
