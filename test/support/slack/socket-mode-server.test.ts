/**
 * The Socket Mode test server answers as Slack does (reference §5): who may open a link, what a
 * link is good for, hello, envelopes and acks, and disconnects. Driven with a plain `ws` client.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeSlack, type FakeSlack } from './index.js';
import { startSocketModeServer, type SocketModeServer } from './socket-mode-server.js';

async function open(server: SocketModeServer, token: string | undefined, body = ''): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.apiUrl}apps.connections.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

function connect(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[]; next: () => Promise<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Record<string, unknown>[] = [];
    const waiters: ((f: Record<string, unknown>) => void)[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const waiter = waiters.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    const next = (): Promise<Record<string, unknown>> => {
      const queued = frames.shift();
      return queued ? Promise.resolve(queued) : new Promise((r) => waiters.push(r));
    };
    ws.on('open', () => resolve({ ws, frames, next }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('Socket Mode test server', () => {
  let fake: FakeSlack;
  let server: SocketModeServer;
  beforeEach(async () => {
    fake = await startFakeSlack();
    server = await startSocketModeServer({ upstream: fake, ackDeadlineMs: 200 });
  });
  afterEach(async () => {
    await server.stop();
    await fake.stop();
  });

  it('opens links only for the app-level token in the Authorization header', async () => {
    expect(await open(server, undefined, `token=${server.appToken}`)).toEqual({ ok: false, error: 'not_authed' });
    expect(await open(server, fake.botToken)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await open(server, 'xapp-1-A0OTHER-1-nope')).toEqual({ ok: false, error: 'invalid_auth' });
    const ok = await open(server, server.appToken);
    expect(ok).toEqual({ ok: true, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A0VAULTAPP$/) });
    expect(server.opens.map((o) => o.error ?? 'ok')).toEqual(['not_authed', 'not_allowed_token_type', 'invalid_auth', 'ok']);
  });

  it('says hello, delivers envelopes, takes acks, and refuses a reused ticket', async () => {
    const { url } = (await open(server, server.appToken)) as { url: string };
    const link = await connect(url);
    expect(await link.next()).toEqual({
      type: 'hello',
      num_connections: 1,
      debug_info: { host: expect.any(String), build_number: expect.any(Number), approximate_connection_time: expect.any(Number) },
      connection_info: { app_id: 'A0VAULTAPP' },
    });
    await expect(connect(url)).rejects.toThrow(/401/);
    await server.waitForConnections(1);

    const command = server.send('slash_commands', { command: '/vault', text: 'help' });
    const envelope = await link.next();
    expect(envelope).toEqual({ envelope_id: expect.any(String), type: 'slash_commands', payload: { command: '/vault', text: 'help' }, accepts_response_payload: true });
    link.ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'Here is help' } }));
    expect(await command).toMatchObject({ delivered: true, acked: true, late: false, responsePayload: { text: 'Here is help' } });

    const click = server.send('interactive', { type: 'block_actions' });
    const clickEnvelope = await link.next();
    expect(clickEnvelope).toMatchObject({ type: 'interactive', accepts_response_payload: false });
    link.ws.send(JSON.stringify({ envelope_id: clickEnvelope.envelope_id, payload: { text: 'ignored' } }));
    const clicked = await click;
    expect(clicked.acked).toBe(true);
    expect(clicked.responsePayload).toBeUndefined();

    const event = server.sendEvent({ type: 'app_mention', text: 'hi' }, { retryAttempt: 1, retryReason: 'timeout', waitMs: 300 });
    expect(await link.next()).toMatchObject({ type: 'events_api', accepts_response_payload: false, retry_attempt: 1, retry_reason: 'timeout', payload: { type: 'event_callback', event: { type: 'app_mention' } } });
    expect(await event).toMatchObject({ acked: false, error: 'operation_timeout' });
    link.ws.close();
  });

  it('reports a late ack as operation_timeout and an envelope with no connection as dispatch_failed', async () => {
    expect(await server.send('slash_commands', { command: '/vault' })).toMatchObject({ delivered: false, error: 'dispatch_failed' });
    const { url } = (await open(server, server.appToken)) as { url: string };
    const link = await connect(url);
    await link.next();
    await server.waitForConnections(1);
    const command = server.send('slash_commands', { command: '/vault' });
    const envelope = await link.next();
    await new Promise((r) => setTimeout(r, 250));
    link.ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'too late' } }));
    expect(await command).toMatchObject({ acked: true, late: true, error: 'operation_timeout' });
    expect((await command).responsePayload).toBeUndefined();
    link.ws.close();
  });

  it('sends disconnect frames and closes the link for refresh_requested and link_disabled', async () => {
    const { url } = (await open(server, server.appToken)) as { url: string };
    const link = await connect(url);
    await link.next();
    const closed = new Promise<number>((resolve) => link.ws.on('close', (code) => resolve(code)));
    await server.disconnect('warning');
    expect(await link.next()).toEqual({ type: 'disconnect', reason: 'warning', debug_info: { host: expect.any(String) } });
    expect(link.ws.readyState).toBe(WebSocket.OPEN);
    await server.disconnect('link_disabled');
    expect(await link.next()).toMatchObject({ type: 'disconnect', reason: 'link_disabled' });
    expect(await closed).toBe(1001);
    const again = (await open(server, server.appToken)) as { url: string };
    await expect(connect(again.url)).rejects.toThrow(/403/);
    server.enable();
    const back = (await open(server, server.appToken)) as { url: string };
    const link2 = await connect(back.url);
    expect(await link2.next()).toMatchObject({ type: 'hello' });
    link2.ws.close();
  });

  it('passes every other Web API call through to the fake', async () => {
    const res = await fetch(`${server.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${fake.botToken}` } });
    expect(await res.json()).toMatchObject({ ok: true, user_id: fake.botUserId });
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });
});
