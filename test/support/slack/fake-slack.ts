/**
 * @module fake-slack The fake Slack Web API (`startFakeSlack`): a plain node:http server on
 * 127.0.0.1 that @slack/web-api reaches through `slackApiUrl`, plus the response_url endpoint
 * Bolt's `respond()` posts to. It answers as Slack does (reference §4, §9 item 5): HTTP 200 with
 * `{ok:…}` for everything except rate limits (429 + integer `Retry-After`), and it records every
 * call and keeps a channel/thread/ephemeral model a test can read back.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/core/clock.js';
import { parseApiRequest, readBody } from './api-request.js';
import { Directory } from './directory.js';
import { FaultTable } from './faults.js';
import { Interactivity, TRIGGER_TTL_MS } from './interactivity.js';
import { MessageStore, TsClock } from './message-store.js';
import { deliverReply, type DeliveryDeps } from './reply-delivery.js';
import { renderText } from './render-text.js';
import type {
  ApiArgs,
  AppIdentity,
  EphemeralMessage,
  FakeSlackOptions,
  FaultSpec,
  OpenedView,
  RecordedCall,
  ResponseUrlContext,
  ResponseUrlMessage,
  SlackChannel,
  SlackChannelSeed,
  SlackUser,
  SlackUserSeed,
  StoredMessage,
} from './types.js';
import { METHODS, PlatformError, type MethodContext } from './web-api-methods.js';
import { FileStore, type UploadedFile } from './files.js';

/** People in the workspace when a test does not name its own. */
export const DEFAULT_USERS: readonly SlackUserSeed[] = [
  { id: 'U0ALICE', name: 'alice', real_name: 'Alice Admin', is_admin: true },
  { id: 'U0BOB', name: 'bob', real_name: 'Bob Builder' },
  { id: 'U0CAROL', name: 'carol', real_name: 'Carol Checker' },
  { id: 'U0DAVE', name: 'dave', real_name: 'Dave Deputy' },
  { id: 'U0GUEST', name: 'gus', real_name: 'Gus Guest', is_restricted: true },
];

export interface FakeSlack extends AppIdentity {
  /** `http://127.0.0.1:<port>/api/`: give it to Bolt as `clientOptions.slackApiUrl`. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** A token the fake accepts (`xoxb-…`). */
  readonly botToken: string;
  /** The first configured channel. */
  readonly defaultChannel: string;
  /** Every request answered so far, oldest first (Web API calls and response_url posts). */
  readonly calls: readonly RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Resolves with the first call (past or future) to `method` matching `predicate`; rejects after `timeoutMs` (5000). */
  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Top-level messages of a channel (or of the app's DM with a user ID), oldest first. */
  messages(channel: string): StoredMessage[];
  /** The parent followed by its replies; [] when there is no such message. */
  thread(channel: string, ts: string): StoredMessage[];
  /** One message, wherever it sits (parent or reply). */
  message(channel: string, ts: string): StoredMessage | undefined;
  /** Ephemeral messages still shown, for one user or all. */
  ephemerals(user?: string): EphemeralMessage[];
  /** Modals opened through `views.open`. */
  views(): OpenedView[];
  /** Files started with files.getUploadURLExternal, with their uploaded bytes and the channels they were shared in. */
  files(): UploadedFile[];
  /** Mints `http://127.0.0.1:<port>/response/<id>` (5 posts within 30 min). */
  responseUrl(context?: Partial<ResponseUrlContext>): string;
  /** The JSON bodies a response_url accepted, oldest first. */
  responses(urlOrId: string): ResponseUrlMessage[];
  /** Registers a single-use trigger_id valid for `triggerTtlMs`. */
  mintTriggerId(): string;
  user(id: string): SlackUser | undefined;
  channel(id: string): SlackChannel | undefined;
  /** Adds (or replaces) a user and joins them to `channels` (default: the default channel). */
  addUser(seed: SlackUserSeed, channels?: string[]): SlackUser;
  addChannel(seed: SlackChannelSeed): SlackChannel;
  setUsergroup(id: string, users: string[]): void;
  /** Seeds a message written by a person, e.g. to prove `chat.update` answers `cant_update_message`. */
  postAsUser(channel: string, user: string, text: string, opts?: { thread_ts?: string }): StoredMessage;
  /** Shows a slash command's immediate (ack body) reply as Slack would; used by the driver. */
  deliverCommandReply(target: ResponseUrlContext, reply: ResponseUrlMessage): void;
  /** The next call(s) to `method` fail as described; for `response_url` a 200 fault becomes a 500 (it has no ok:false). */
  failNext(method: string, fault: FaultSpec): void;
  clearFaults(): void;
  renderText: typeof renderText;
  stop(): Promise<void>;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Slack-style generated block_id, e.g. `Xq3Zb`. */
function mintBlockId(): string {
  return [...randomBytes(5)].map((b) => BASE62[b % BASE62.length]).join('');
}

/**
 * Starts the fake on an ephemeral port.
 *
 * @example
 * const fake = await startFakeSlack({ usergroups: { S0APPROVERS: ['U0ALICE', 'U0BOB'] } });
 * const client = new webApi.WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
 * await client.chat.postMessage({ channel: fake.defaultChannel, text: 'hi' });
 * expect(fake.messages(fake.defaultChannel)[0]?.text).toBe('hi');
 */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const clock = opts.clock ?? systemClock;
  const identity: AppIdentity = {
    teamId: opts.teamId ?? 'T0VAULTOPS',
    teamDomain: opts.teamDomain ?? 'vault-ops-test',
    teamName: opts.teamName ?? 'Vault Ops (test)',
    appId: opts.appId ?? 'A0VAULTAPP',
    botUserId: opts.botUserId ?? 'U0VAULTBOT',
    botId: opts.botId ?? 'B0VAULTBOT',
    botName: 'vault-chatops',
  };
  const tokens = opts.tokens ?? ['xoxb-fake-vault-chatops'];
  const channelSeeds = opts.channels ?? [{ id: 'C0VAULTOPS', name: 'vault-ops' }];
  const directory = new Directory(identity, {
    users: opts.users ?? [...DEFAULT_USERS],
    channels: channelSeeds,
    usergroups: opts.usergroups ?? {},
  });
  const store = new MessageStore(new TsClock(clock));
  const interactivity = new Interactivity(clock, opts.triggerTtlMs ?? TRIGGER_TTL_MS);
  const faults = new FaultTable();
  const views: OpenedView[] = [];
  const calls: RecordedCall[] = [];
  const recorded = new EventEmitter();
  const files = new FileStore();
  const ctx: MethodContext & DeliveryDeps = { identity, directory, store, interactivity, views, mintBlockId, files };

  const record = (call: RecordedCall): void => {
    calls.push(call);
    recorded.emit('call', call);
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const json = typeof body !== 'string';
    res.writeHead(status, { 'content-type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8', ...headers });
    res.end(json ? JSON.stringify(body) : body);
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, query: URLSearchParams): Promise<void> {
    const raw = await readBody(req);
    const time = clock().getTime();
    let args: ApiArgs = {};
    let token: string | undefined;
    let parseError: PlatformError | undefined;
    try {
      ({ args, token } = parseApiRequest(req, raw, query));
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      parseError = err;
    }
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void => {
      const ok = body.ok === true;
      record({ method, args, ...(token !== undefined && { token }), time, status, ok, ...(!ok && { error: String(body.error) }), response: body });
      send(res, status, body, headers);
    };
    const handler = METHODS[method];
    if (!handler) {
      const hint = `[ERROR] the fake Slack does not model ${method}; add it to test/support/slack/web-api-methods.ts`;
      return answer(200, { ok: false, error: 'unknown_method', response_metadata: { messages: [hint] } });
    }
    if (parseError) return answer(200, { ok: false, error: parseError.code, ...parseError.extra });
    const fault = faults.take(method);
    if (fault) return answer(fault.status, fault.body, fault.headers);
    if (token === undefined) return answer(200, { ok: false, error: 'not_authed' });
    if (!tokens.includes(token)) return answer(200, { ok: false, error: 'invalid_auth' });
    try {
      answer(200, { ok: true, ...handler(args, ctx) });
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      answer(200, { ok: false, error: err.code, ...err.extra });
    }
  }

  async function handleResponseUrl(req: IncomingMessage, res: ServerResponse, url: string, id: string): Promise<void> {
    const raw = await readBody(req);
    const time = clock().getTime();
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const valid = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    // Refused posts are recorded with their body too, so a test can see what the bot tried to say.
    const body: ApiArgs = valid ? (parsed as ApiArgs) : {};
    const answer = (status: number, reply: string | Record<string, unknown>): void => {
      const ok = status >= 200 && status < 300;
      record({ method: 'response_url', url, args: body, time, status, ok, ...(!ok && { error: String(reply) }), response: reply });
      send(res, status, reply);
    };
    const target = interactivity.responseUrl(id);
    if (!target) return answer(404, 'no_service');
    const fault = faults.take('response_url');
    if (fault) return answer(fault.status === 200 ? 500 : fault.status, String(fault.body.error));
    const refusal = interactivity.responseUrlRefusal(target);
    if (refusal) return answer(404, refusal);
    if (!valid) return answer(400, 'invalid_payload');
    try {
      deliverReply(ctx, target.context, body as ResponseUrlMessage, 'response_url');
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      return answer(400, err.code);
    }
    target.messages.push(structuredClone(body) as ResponseUrlMessage);
    answer(200, { ok: true });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const responseMatch = /^\/response\/([^/]+)$/.exec(url.pathname);
    let work: Promise<void>;
    if (url.pathname.startsWith('/api/') && (req.method === 'POST' || req.method === 'GET')) {
      work = handleApi(req, res, decodeURIComponent(url.pathname.slice('/api/'.length)), url.searchParams);
    } else if (url.pathname.startsWith('/upload/v1/') && req.method === 'POST') {
      work = files.receive(url.pathname.slice('/upload/v1/'.length), req).then(([status, body]) => {
        record({ method: 'file_upload', url: `${baseUrl}${url.pathname}`, args: {}, time: clock().getTime(), status, ok: status === 200, ...(status !== 200 && { error: body }), response: body });
        send(res, status, body);
      });
    } else if (responseMatch?.[1] !== undefined && req.method === 'POST') {
      work = handleResponseUrl(req, res, `${baseUrl}${url.pathname}`, responseMatch[1]);
    } else {
      work = Promise.resolve(send(res, 404, 'not found'));
    }
    // A bug in the fake must show up as a failing request, never as a hung one.
    work.catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `fake Slack crashed: ${String(err)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  files.baseUrl = baseUrl;
  const defaultChannel = channelSeeds[0]?.id ?? 'C0VAULTOPS';
  const channelId = (id: string): string => directory.resolveChannel(id)?.id ?? id;

  return {
    ...identity,
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    botToken: tokens[0] ?? '',
    defaultChannel,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitForCall(method, predicate = () => true, timeoutMs = 5000) {
      const match = (c: RecordedCall): boolean => c.method === method && predicate(c);
      const seen = calls.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const onCall = (c: RecordedCall): void => {
          if (!match(c)) return;
          clearTimeout(timer);
          recorded.off('call', onCall);
          resolve(c);
        };
        const timer = setTimeout(() => {
          recorded.off('call', onCall);
          const made = calls.map((c) => c.method).join(', ') || 'none';
          reject(new Error(`fake Slack: no matching ${method} call within ${timeoutMs} ms (calls made: ${made})`));
        }, timeoutMs);
        recorded.on('call', onCall);
      });
    },
    messages: (channel) => store.channelMessages(channelId(channel)),
    thread: (channel, ts) => store.thread(channelId(channel), ts),
    message: (channel, ts) => {
      const found = store.find(channelId(channel), ts);
      return found ? structuredClone(found) : undefined;
    },
    ephemerals: (user) => store.ephemerals(user),
    views: () => structuredClone(views),
    files: () => [...files.files.values()].map((f) => ({ ...f, channels: [...f.channels], ...(f.content ? { content: Buffer.from(f.content) } : {}) })),
    responseUrl: (context = {}) =>
      `${baseUrl}/response/${interactivity.mintResponseUrl({ channel: defaultChannel, user: identity.botUserId, ...context }).id}`,
    responses: (urlOrId) => structuredClone(interactivity.responseUrl(urlOrId)?.messages ?? []),
    mintTriggerId: () => interactivity.mintTrigger(),
    user: (id) => {
      const u = directory.users.get(id);
      return u ? structuredClone(u) : undefined;
    },
    channel: (id) => {
      const c = directory.resolveChannel(id);
      return c ? structuredClone(c) : undefined;
    },
    addUser(seed, channels = [defaultChannel]) {
      const user = directory.addUser(seed);
      for (const id of channels) {
        const channel = directory.channels.get(id);
        if (channel && !channel.members.includes(user.id)) channel.members.push(user.id);
      }
      return structuredClone(user);
    },
    addChannel: (seed) => structuredClone(directory.addChannel(seed)),
    setUsergroup: (id, users) => void directory.usergroups.set(id, [...users]),
    postAsUser(channel, user, text, opts = {}) {
      const id = channelId(channel);
      return structuredClone(
        store.add({ type: 'message', channel: id, ...opts, text, user, team: identity.teamId, source: 'seed' }),
      );
    },
    deliverCommandReply: (target, reply) => deliverReply(ctx, target, reply, 'command_ack'),
    failNext: (method, fault) => faults.add(method, fault),
    clearFaults: () => faults.clear(),
    renderText,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
