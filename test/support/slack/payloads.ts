/**
 * @module payloads Builders for what Slack posts to the app: slash-command form fields (reference
 * §2) and `block_actions` payloads (reference §3), with every field Slack sends, in Slack's order,
 * so a listener that reads a field Slack really sends never meets `undefined` in tests only.
 */
import { toWireMessage } from './message-store.js';
import type { Block, EphemeralMessage, StoredMessage } from './types.js';

/** Who is acting and where, in the workspace's terms. */
export interface Actor {
  teamId: string;
  teamDomain: string;
  appId: string;
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
  /** Legacy verification token; Bolt ignores it but Slack still sends it. */
  verificationToken: string;
}

export interface SlashCommandInput extends Actor {
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}

/** A Slack-style timestamp (`1700000000.123456`) for a clock reading in ms. */
export function slackTs(ms: number): string {
  const micros = Math.round(ms * 1000);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

/** The flat string fields of a slash command; `is_enterprise_install` is the string `"false"`. */
export function buildSlashCommand(i: SlashCommandInput): Record<string, string> {
  return {
    token: i.verificationToken,
    team_id: i.teamId,
    team_domain: i.teamDomain,
    channel_id: i.channelId,
    channel_name: i.channelName,
    user_id: i.userId,
    user_name: i.userName,
    command: i.command,
    text: i.text,
    api_app_id: i.appId,
    is_enterprise_install: 'false',
    response_url: i.responseUrl,
    trigger_id: i.triggerId,
  };
}

/** `application/x-www-form-urlencoded` exactly as a browser form encodes it (spaces as `+`). */
export function encodeForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export interface FoundButton {
  blockId: string;
  button: Block;
}

/** Finds a button by action_id in `actions` elements or a section accessory. */
export function findButton(blocks: readonly Block[] | undefined, actionId: string): FoundButton | undefined {
  for (const block of blocks ?? []) {
    const candidates = block.type === 'actions' && Array.isArray(block.elements) ? block.elements : [block.accessory];
    for (const el of candidates as unknown[]) {
      const b = el as Block | undefined;
      if (b?.type === 'button' && b.action_id === actionId && typeof block.block_id === 'string') {
        return { blockId: block.block_id, button: b };
      }
    }
  }
  return undefined;
}

/** Every button's action_id, to say what was there when a click names a missing one. */
export function buttonIds(blocks: readonly Block[] | undefined): string[] {
  return (blocks ?? []).flatMap((block) =>
    ((block.type === 'actions' && Array.isArray(block.elements) ? block.elements : [block.accessory]) as unknown[])
      .map((el) => el as Block | undefined)
      .filter((el): el is Block => el?.type === 'button')
      .map((el) => String(el.action_id)),
  );
}

export interface BlockActionsInput extends Actor {
  message: StoredMessage | EphemeralMessage;
  found: FoundButton;
  value: string | undefined;
  actionTs: string;
  responseUrl: string;
  triggerId: string;
}

/** A `block_actions` payload for a button click on a channel or ephemeral message. */
export function buildBlockActions(i: BlockActionsInput): Record<string, unknown> {
  const ephemeral = 'ephemeral' in i.message;
  const threadTs = i.message.thread_ts !== undefined && i.message.thread_ts !== i.message.ts ? i.message.thread_ts : undefined;
  const { button } = i.found;
  return {
    type: 'block_actions',
    user: { id: i.userId, username: i.userName, name: i.userName, team_id: i.teamId },
    api_app_id: i.appId,
    token: i.verificationToken,
    container: {
      type: 'message',
      message_ts: i.message.ts,
      channel_id: i.message.channel,
      is_ephemeral: ephemeral,
      ...(threadTs !== undefined && { thread_ts: threadTs }),
    },
    trigger_id: i.triggerId,
    team: { id: i.teamId, domain: i.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: i.channelId, name: i.channelName },
    // Slack leaves `message` out for ephemeral sources (observed); listeners must guard for it.
    ...(!ephemeral && { message: toWireMessage(i.message as StoredMessage) }),
    state: { values: {} },
    response_url: i.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: i.found.blockId,
        text: button.text,
        ...(i.value !== undefined && { value: i.value }),
        ...(typeof button.style === 'string' && { style: button.style }),
        action_ts: i.actionTs,
      },
    ],
  };
}
