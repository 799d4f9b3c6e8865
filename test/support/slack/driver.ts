/**
 * @module driver Plays Slack's side of the conversation with the bot under test: it posts signed
 * slash commands and button clicks to Bolt's HTTP endpoint exactly as Slack does (reference §1–3,
 * §9 items 1–4), minting the response_url and trigger_id on the fake so the bot's replies land in
 * the fake's model. Slack's 3000 ms ack deadline is enforced here, not left to Bolt's 3001 ms 404.
 */
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../../../src/core/clock.js';
import type { FakeSlack } from './fake-slack.js';
import {
  buildBlockActions,
  buildSlashCommand,
  buttonIds,
  encodeForm,
  findButton,
  slackTs,
  type Actor,
} from './payloads.js';
import { signatureHeaders } from './signing.js';
import type { EphemeralMessage, ResponseUrlMessage, StoredMessage } from './types.js';
import { PlatformError } from './web-api-methods.js';

/** Slack stops waiting for the app's HTTP 200 after this long (reference §2). */
export const ACK_DEADLINE_MS = 3000;
/** Bolt's replay window: a timestamp older than this is refused (reference §1). */
const REPLAY_WINDOW_SEC = 300;

export interface SlackDriverOptions {
  /** Bolt's endpoint, e.g. `http://127.0.0.1:<port>/slack/events`. */
  botUrl: string;
  signingSecret: string;
  fake: FakeSlack;
  /** Default: the fake's team. */
  teamId?: string;
  /** Source of `X-Slack-Request-Timestamp` and `action_ts`. Default: the system clock (Bolt checks against real time). */
  clock?: Clock;
  /** Default 3000 ms, Slack's. */
  ackDeadlineMs?: number;
  /** Legacy verification token sent in payloads (Bolt ignores it). */
  verificationToken?: string;
  /** How requests reach the app; default an HTTP POST to `botUrl`. Socket Mode: `socketModeTransport`. */
  transport?: SlackTransport;
}

/** Delivers one form-encoded request (command fields, or `payload=<JSON>`) and returns the app's answer. */
export type SlackTransport = (body: string, headers: Record<string, string>) => Promise<{ status: number; body: string; contentType: string }>;

/** How Slack reports a failed delivery to the user (observed wording, reference §2). */
export type DeliveryError = 'operation_timeout' | 'dispatch_failed';

export interface SlackRequestResult {
  status: number;
  body: string;
  elapsedMs: number;
  /** The answer came after the ack deadline: Slack would already have shown `operation_timeout`. */
  timedOut: boolean;
  /** What Slack would show the user: `operation_timeout` when late, `dispatch_failed` for a non-200. */
  error?: DeliveryError;
  responseUrl: string;
  triggerId: string;
}

export interface CommandResult extends SlackRequestResult {
  /** The ack body as the message Slack shows (empty ack → undefined). */
  reply?: ResponseUrlMessage;
  /** Slack's refusal of that reply (e.g. `invalid_blocks`), when it would not be shown. */
  replyError?: string;
}

export interface ActionResult extends SlackRequestResult {
  /** The `block_actions` payload that was posted. */
  payload: Record<string, unknown>;
}

export interface CommandInput {
  userId: string;
  text?: string;
  /** Default: the fake's default channel. */
  channelId?: string;
  command?: string;
}

export interface ClickInput {
  userId: string;
  /** A message from the fake's model (`messages`, `thread`, `ephemerals`). */
  message: StoredMessage | EphemeralMessage;
  actionId: string;
  /** Overrides the button's own value, e.g. to forge a click. */
  value?: string;
  teamId?: string;
}

export interface SlackDriver {
  command(input: CommandInput): Promise<CommandResult>;
  clickButton(input: ClickInput): Promise<ActionResult>;
  /** A command without signature headers; returns the HTTP status (Bolt: 401). */
  sendUnsigned(input?: CommandInput): Promise<number>;
  /** A command signed with a timestamp just outside the 300 s window (Bolt: 401). */
  sendStale(input?: CommandInput): Promise<number>;
  /** A command signed with another secret (Bolt: 401). */
  sendWrongSecret(input?: CommandInput): Promise<number>;
  /** Posts an arbitrary body, signed correctly unless told otherwise; for edge cases such as a charset suffix. */
  send(body: string, opts?: SendOptions): Promise<{ status: number; body: string; elapsedMs: number }>;
}

export interface SendOptions {
  contentType?: string;
  signing?: 'valid' | 'none' | 'stale' | 'wrong-secret';
}

const NEGATIVE_DEFAULT: CommandInput = { userId: 'U0ALICE', text: 'help' };

/**
 * @example
 * const slack = createSlackDriver({ botUrl, signingSecret, fake });
 * const res = await slack.command({ userId: 'U0ALICE', text: 'seal' });
 * expect(res.status).toBe(200);
 */
export function createSlackDriver(opts: SlackDriverOptions): SlackDriver {
  const { fake, botUrl, signingSecret } = opts;
  const clock = opts.clock ?? systemClock;
  const deadline = opts.ackDeadlineMs ?? ACK_DEADLINE_MS;

  function actor(userId: string, channelId: string, teamId: string | undefined, strict: boolean): Actor {
    const user = fake.user(userId);
    const channel = fake.channel(channelId);
    if (strict && !user) throw new Error(`Slack driver: user ${userId} is not in the fake's directory; add it with fake.addUser()`);
    if (strict && !channel) throw new Error(`Slack driver: channel ${channelId} does not exist in the fake; add it with fake.addChannel()`);
    return {
      teamId: teamId ?? opts.teamId ?? fake.teamId,
      teamDomain: fake.teamDomain,
      appId: fake.appId,
      userId,
      userName: user?.name ?? userId.toLowerCase(),
      channelId: channel?.id ?? channelId,
      channelName: channel?.is_im ? 'directmessage' : (channel?.name ?? channelId.toLowerCase()),
      verificationToken: opts.verificationToken ?? 'fake-verification-token',
    };
  }

  async function send(body: string, sendOpts: SendOptions = {}): Promise<{ status: number; body: string; elapsedMs: number; contentType: string }> {
    const nowSec = Math.floor(clock().getTime() / 1000);
    const signing = sendOpts.signing ?? 'valid';
    const headers: Record<string, string> = {
      // Slack sends the bare media type; a charset suffix makes Bolt answer 400 (reference §1).
      'content-type': sendOpts.contentType ?? 'application/x-www-form-urlencoded',
      accept: 'application/json,*/*',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    };
    if (signing === 'valid') Object.assign(headers, signatureHeaders(signingSecret, nowSec, body));
    if (signing === 'stale') Object.assign(headers, signatureHeaders(signingSecret, nowSec - REPLAY_WINDOW_SEC - 1, body));
    if (signing === 'wrong-secret') Object.assign(headers, signatureHeaders(`${signingSecret}-wrong`, nowSec, body));
    const started = performance.now();
    // The whole answer is awaited even past the deadline, so a test never ends while Bolt still works.
    if (opts.transport) return { ...(await opts.transport(body, headers)), elapsedMs: performance.now() - started };
    const res = await fetch(botUrl, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text, elapsedMs: performance.now() - started, contentType: res.headers.get('content-type') ?? '' };
  }

  function outcome(status: number, elapsedMs: number): Pick<SlackRequestResult, 'timedOut' | 'error'> {
    const timedOut = elapsedMs > deadline;
    if (timedOut) return { timedOut, error: 'operation_timeout' };
    return status === 200 ? { timedOut } : { timedOut, error: 'dispatch_failed' };
  }

  /** Slack shows a non-empty ack body as a message: JSON as given, plain text as `{text}`. */
  function ackReply(body: string, contentType: string): ResponseUrlMessage | undefined {
    if (body === '') return undefined;
    if (contentType.startsWith('application/json')) return JSON.parse(body) as ResponseUrlMessage;
    return { text: body };
  }

  function commandBody(input: CommandInput, strict: boolean): { body: string; responseUrl: string; triggerId: string; a: Actor } {
    const a = actor(input.userId, input.channelId ?? fake.defaultChannel, undefined, strict);
    const responseUrl = fake.responseUrl({ channel: a.channelId, user: a.userId });
    const triggerId = fake.mintTriggerId();
    const fields = buildSlashCommand({ ...a, command: input.command ?? '/vault', text: input.text ?? '', responseUrl, triggerId });
    return { body: encodeForm(fields), responseUrl, triggerId, a };
  }

  return {
    async command(input) {
      const { body, responseUrl, triggerId, a } = commandBody(input, true);
      const res = await send(body);
      const result: CommandResult = { status: res.status, body: res.body, elapsedMs: res.elapsedMs, responseUrl, triggerId, ...outcome(res.status, res.elapsedMs) };
      const reply = result.error === undefined ? ackReply(res.body, res.contentType) : undefined;
      if (reply) {
        result.reply = reply;
        try {
          fake.deliverCommandReply({ channel: a.channelId, user: a.userId }, reply);
        } catch (err) {
          if (!(err instanceof PlatformError)) throw err;
          result.replyError = err.code;
        }
      }
      return result;
    },

    async clickButton(input) {
      // Slack sends the message as it is now, not as the test last read it.
      const current = 'ephemeral' in input.message ? input.message : (fake.message(input.message.channel, input.message.ts) ?? input.message);
      const found = findButton(current.blocks, input.actionId);
      if (!found) {
        throw new Error(`Slack driver: no button '${input.actionId}' in message ${current.ts}; buttons: ${buttonIds(current.blocks).join(', ') || 'none'}`);
      }
      const a = actor(input.userId, current.channel, input.teamId, true);
      const ephemeral = 'ephemeral' in current;
      const responseUrl = fake.responseUrl({ channel: current.channel, user: a.userId, ...(ephemeral ? { ephemeralTs: current.ts } : { messageTs: current.ts }) });
      const triggerId = fake.mintTriggerId();
      const buttonValue = typeof found.button.value === 'string' ? found.button.value : undefined;
      const payload = buildBlockActions({
        ...a,
        message: current,
        found,
        value: input.value ?? buttonValue,
        actionTs: slackTs(clock().getTime()),
        responseUrl,
        triggerId,
      });
      const res = await send(encodeForm({ payload: JSON.stringify(payload) }));
      return { status: res.status, body: res.body, elapsedMs: res.elapsedMs, responseUrl, triggerId, payload, ...outcome(res.status, res.elapsedMs) };
    },

    sendUnsigned: async (input = NEGATIVE_DEFAULT) => (await send(commandBody(input, false).body, { signing: 'none' })).status,
    sendStale: async (input = NEGATIVE_DEFAULT) => (await send(commandBody(input, false).body, { signing: 'stale' })).status,
    sendWrongSecret: async (input = NEGATIVE_DEFAULT) => (await send(commandBody(input, false).body, { signing: 'wrong-secret' })).status,
    send: async (body, sendOpts) => {
      const { status, body: text, elapsedMs } = await send(body, sendOpts);
      return { status, body: text, elapsedMs };
    },
  };
}
