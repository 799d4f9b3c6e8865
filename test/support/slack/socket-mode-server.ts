/**
 * @module socket-mode-server Slack's Socket Mode side, for running the real bot with
 * `SLACK_APP_TOKEN` set (reference /work/shared/reference/slack-api.md §5). Built on `ws`.
 *
 * It sits in front of the fake Web API (`startFakeSlack`): give the bot `SLACK_API_URL =
 * server.apiUrl`. This server answers `apps.connections.open` itself and forwards every other
 * `/api/*` call to the fake unchanged, so the fake keeps recording `chat.postMessage` & co.
 *
 * Fidelity points (§5 terms):
 * - `apps.connections.open` takes the app-level token from the `Authorization` header only: a
 *   `token` POST parameter alone is `not_authed`; a bot or user token (`xoxb-`, `xoxp-`) is
 *   `not_allowed_token_type`; an unknown `xapp-` token is `invalid_auth` — all HTTP 200 with
 *   `{ok:false}`. Success is `{ok:true, url}` where `url` is a `ws://127.0.0.1:<port>/link/?ticket=…
 *   &app_id=…`; the client hands it to its WebSocket unchanged. A ticket opens one connection
 *   (a reused or unknown ticket is refused at the upgrade with HTTP 401).
 * - On connect the server sends `{type:"hello", num_connections, debug_info:{host, build_number,
 *   approximate_connection_time}, connection_info:{app_id}}`; envelopes go only to connections
 *   that were sent `hello`. It pings every `pingIntervalMs` (the client drops a link that has not
 *   been pinged for 30 s) and answers the client's pings (ws does).
 * - Envelopes: `{envelope_id, type, payload, accepts_response_payload}`. `slash_commands` carries
 *   the command's fields as the form post would (all strings) with `accepts_response_payload:
 *   true`; `interactive` carries the `block_actions` object with `false`; `events_api` carries the
 *   `event_callback` body with `false` plus `retry_attempt` and `retry_reason`.
 * - Acks are `{envelope_id, payload?}`. Slack waits 3000 ms (`ackDeadlineMs`): a later ack is
 *   recorded as late and, for a command, the user has already seen `operation_timeout`. An ack
 *   payload is used only where `accepts_response_payload` was true (a command's immediate
 *   reply); an empty payload shows nothing. An ack for an unknown envelope is recorded and ignored.
 * - With no open connection, an envelope cannot be delivered: the user sees `dispatch_failed`
 *   (Slack does not queue slash commands or clicks).
 * - `disconnect`: `{type:"disconnect", reason, debug_info:{host}}` with reason `refresh_requested`
 *   (the server closes the socket shortly after, `closeAfterMs`), `warning` (sent ahead of a
 *   refresh; the socket stays open unless told) or `link_disabled` (Socket Mode was turned off
 *   for the app: the socket is closed and, while disabled, `apps.connections.open` keeps
 *   answering but the link refuses the upgrade with HTTP 403, so a client that loops is visible
 *   in `opens`). What real Slack answers in that state is not documented; tests should assert on
 *   the client's behaviour (stopping or retrying), not on this server's answer.
 *
 * Not modelled: several app instances sharing envelopes round-robin (envelopes go to the newest
 * connection), events_api redelivery after a missed ack (a test sends the retry itself with
 * `retryAttempt`), rate limits on `apps.connections.open`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { readBody } from './api-request.js';
import type { FakeSlack } from './fake-slack.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';
export type DisconnectReason = 'refresh_requested' | 'warning' | 'link_disabled';

export interface SocketModeServerOptions {
  /** The fake Web API that every other method and `response_url` reach. */
  upstream: FakeSlack;
  /** Accepted app-level tokens; default one `xapp-1-<appId>-…` token. */
  appTokens?: string[];
  /** Slack's ack deadline; default 3000 ms. */
  ackDeadlineMs?: number;
  /** Server ping interval; default 10 s (the client gives up after 30 s without one). */
  pingIntervalMs?: number;
}

/** One `apps.connections.open` call as answered. */
export interface OpenCall {
  time: number;
  ok: boolean;
  error?: string;
  url?: string;
}

export interface SocketConnection {
  id: number;
  openedAt: number;
  closedAt?: number;
  helloSent: boolean;
}

export interface EnvelopeOptions {
  retryAttempt?: number;
  retryReason?: string;
  /** Wait this long for the ack; default `ackDeadlineMs` plus 10 s (a late ack is still recorded). */
  waitMs?: number;
}

/** What happened to one envelope, as Slack would see it. */
export interface EnvelopeResult {
  envelopeId: string;
  delivered: boolean;
  acked: boolean;
  /** Ms from sending the envelope to its ack (or to giving up). */
  elapsedMs: number;
  /** The ack arrived after the deadline (commands: the user saw `operation_timeout`). */
  late: boolean;
  /** The ack's payload when the envelope accepted one and it was not empty. */
  responsePayload?: Record<string, unknown>;
  /** What the user would see when it failed. */
  error?: 'dispatch_failed' | 'operation_timeout';
  connectionId?: number;
}

export interface RecordedAck {
  envelopeId: string;
  connectionId: number;
  payload: Record<string, unknown> | undefined;
  known: boolean;
  late: boolean;
}

export interface SocketModeServer {
  /** `http://127.0.0.1:<port>/api/`: the bot's SLACK_API_URL. */
  readonly apiUrl: string;
  /** An app-level token this server accepts: the bot's SLACK_APP_TOKEN. */
  readonly appToken: string;
  readonly opens: readonly OpenCall[];
  readonly acks: readonly RecordedAck[];
  /** Connections that received `hello` and are still open. */
  openConnections(): SocketConnection[];
  allConnections(): SocketConnection[];
  /** Resolves once `count` connections are open (default 1), or rejects after `timeoutMs` (5000). */
  waitForConnections(count?: number, timeoutMs?: number): Promise<void>;
  /** Sends one envelope to the newest open connection and waits for its ack. */
  send(type: EnvelopeType, payload: Record<string, unknown>, opts?: EnvelopeOptions): Promise<EnvelopeResult>;
  /** An `events_api` envelope around `event` (an `event_callback` body). */
  sendEvent(event: Record<string, unknown>, opts?: EnvelopeOptions): Promise<EnvelopeResult>;
  /**
   * Sends `disconnect` to every open connection. `refresh_requested` and `link_disabled` close the
   * sockets after `closeAfterMs` (default 50) unless the client closed first; `warning` closes only
   * when `closeAfterMs` is given.
   */
  disconnect(reason: DisconnectReason, opts?: { closeAfterMs?: number }): Promise<void>;
  /** Turns Socket Mode back on after `link_disabled`. */
  enable(): void;
  stop(): Promise<void>;
}

const HOST = 'applink-fake-7f9c';
const BUILD_NUMBER = 118;

interface Pending {
  /** performance.now() after which an ack is late. */
  deadline: number;
  resolve: (ack: RecordedAck | undefined) => void;
}

interface Live {
  info: SocketConnection;
  ws: WebSocket;
}

export async function startSocketModeServer(o: SocketModeServerOptions): Promise<SocketModeServer> {
  const { upstream } = o;
  const appTokens = o.appTokens ?? [`xapp-1-${upstream.appId}-1-${randomBytes(8).toString('hex')}`];
  const ackDeadlineMs = o.ackDeadlineMs ?? 3000;
  const upstreamUrl = new URL(upstream.baseUrl);
  const opens: OpenCall[] = [];
  const acks: RecordedAck[] = [];
  const tickets = new Set<string>();
  const pending = new Map<string, Pending>();
  const live: Live[] = [];
  const connections: SocketConnection[] = [];
  const changes = new EventEmitter();
  let enabled = true;
  let nextConnectionId = 1;

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  async function connectionsOpen(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    const time = Date.now();
    const answer = (body: { ok: boolean; error?: string; url?: string }): void => {
      opens.push({ time, ...body });
      json(res, 200, body);
    };
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (auth === undefined || auth === '') return answer({ ok: false, error: 'not_authed' });
    if (!auth.startsWith('xapp-')) return answer({ ok: false, error: 'not_allowed_token_type' });
    if (!appTokens.includes(auth)) return answer({ ok: false, error: 'invalid_auth' });
    const ticket = randomUUID();
    tickets.add(ticket);
    answer({ ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${upstream.appId}` });
  }

  /** Everything but apps.connections.open goes to the fake, byte for byte. */
  function forward(req: IncomingMessage, res: ServerResponse): void {
    const out = httpRequest(
      { host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstreamUrl.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (err) => {
      if (!res.headersSent) json(res, 502, { ok: false, error: `fake Slack unreachable: ${err.message}` });
      else res.destroy();
    });
    req.pipe(out);
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/api/apps.connections.open') {
      connectionsOpen(req, res).catch((err: unknown) => json(res, 500, { ok: false, error: `socket mode server crashed: ${String(err)}` }));
      return;
    }
    forward(req, res);
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) return refuse(401, 'Unauthorized');
    if (!enabled) return refuse(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    const info: SocketConnection = { id: nextConnectionId++, openedAt: Date.now(), helloSent: false };
    connections.push(info);
    const entry: Live = { info, ws };
    live.push(entry);
    const ping = setInterval(() => ws.ping(), o.pingIntervalMs ?? 10_000);
    ping.unref();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let frame: { envelope_id?: unknown; payload?: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        return;
      }
      if (typeof frame.envelope_id !== 'string') return;
      const waiting = pending.get(frame.envelope_id);
      const payload = typeof frame.payload === 'object' && frame.payload !== null ? (frame.payload as Record<string, unknown>) : undefined;
      const ack: RecordedAck = { envelopeId: frame.envelope_id, connectionId: info.id, payload, known: waiting !== undefined, late: waiting ? performance.now() > waiting.deadline : false };
      acks.push(ack);
      waiting?.resolve(ack);
    });
    ws.on('close', () => {
      clearInterval(ping);
      info.closedAt = Date.now();
      live.splice(live.indexOf(entry), 1);
      changes.emit('change');
    });
    ws.on('error', () => ws.terminate());
    const hello = {
      type: 'hello',
      num_connections: live.length,
      debug_info: { host: HOST, build_number: BUILD_NUMBER, approximate_connection_time: 18060 },
      connection_info: { app_id: upstream.appId },
    };
    ws.send(JSON.stringify(hello), () => {
      info.helloSent = true;
      changes.emit('change');
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const ready = (): Live[] => live.filter((l) => l.info.helloSent && l.ws.readyState === l.ws.OPEN);

  async function send(type: EnvelopeType, payload: Record<string, unknown>, opts: EnvelopeOptions = {}): Promise<EnvelopeResult> {
    const envelopeId = randomUUID();
    const target = ready().at(-1);
    if (!target) return { envelopeId, delivered: false, acked: false, elapsedMs: 0, late: false, error: 'dispatch_failed' };
    const acceptsResponse = type === 'slash_commands';
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: acceptsResponse,
      ...(type === 'events_api' && { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? '' }),
    };
    const sentAt = performance.now();
    const waitMs = opts.waitMs ?? ackDeadlineMs + 10_000;
    const ack = await new Promise<RecordedAck | undefined>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(envelopeId);
        resolve(undefined);
      }, waitMs);
      pending.set(envelopeId, {
        deadline: sentAt + ackDeadlineMs,
        resolve: (a) => {
          clearTimeout(timer);
          pending.delete(envelopeId);
          resolve(a);
        },
      });
      target.ws.send(JSON.stringify(envelope));
    });
    const elapsedMs = performance.now() - sentAt;
    if (!ack) return { envelopeId, delivered: true, acked: false, elapsedMs, late: false, error: 'operation_timeout', connectionId: target.info.id };
    const shown = acceptsResponse && !ack.late && ack.payload !== undefined && Object.keys(ack.payload).length > 0;
    return {
      envelopeId,
      delivered: true,
      acked: true,
      elapsedMs,
      late: ack.late,
      ...(shown && { responsePayload: ack.payload }),
      ...(ack.late && type === 'slash_commands' && { error: 'operation_timeout' as const }),
      connectionId: ack.connectionId,
    };
  }

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    appToken: appTokens[0] ?? '',
    opens,
    acks,
    openConnections: () => ready().map((l) => ({ ...l.info })),
    allConnections: () => connections.map((c) => ({ ...c })),
    waitForConnections(count = 1, timeoutMs = 5000) {
      if (ready().length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (ready().length < count) return;
          clearTimeout(timer);
          changes.off('change', check);
          resolve();
        };
        const timer = setTimeout(() => {
          changes.off('change', check);
          reject(new Error(`socket mode server: ${ready().length} of ${count} connection(s) open after ${timeoutMs} ms (apps.connections.open answered: ${opens.map((c) => c.error ?? 'ok').join(', ') || 'never called'})`));
        }, timeoutMs);
        changes.on('change', check);
      });
    },
    send,
    sendEvent: (event, opts) =>
      send(
        'events_api',
        {
          token: 'fake-verification-token',
          team_id: upstream.teamId,
          api_app_id: upstream.appId,
          event,
          type: 'event_callback',
          event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [{ team_id: upstream.teamId, user_id: upstream.botUserId, is_bot: true, is_enterprise_install: false }],
          is_ext_shared_channel: false,
        },
        opts,
      ),
    async disconnect(reason, opts = {}) {
      if (reason === 'link_disabled') enabled = false;
      const closeAfterMs = opts.closeAfterMs ?? (reason === 'warning' ? undefined : 50);
      const targets = [...live];
      await Promise.all(
        targets.map(
          (l) =>
            new Promise<void>((resolve) => {
              l.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: HOST } }), () => resolve());
            }),
        ),
      );
      if (closeAfterMs === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, closeAfterMs));
      for (const l of targets) if (l.ws.readyState === l.ws.OPEN) l.ws.close(1001, reason);
    },
    enable: () => void (enabled = true),
    async stop() {
      for (const l of [...live]) l.ws.terminate();
      for (const p of [...pending.values()]) p.resolve(undefined);
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
