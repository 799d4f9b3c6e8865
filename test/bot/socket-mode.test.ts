/**
 * The bot in Socket Mode (SLACK_APP_TOKEN set), end to end through the Socket Mode test server
 * (test/support/slack/socket-mode-server.ts): commands and clicks arrive as envelopes over the
 * WebSocket, and the bot's answers reach the fake Web API as in HTTP mode.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ephemeralTexts, parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';
import type { SocketModeServer } from '../support/slack/socket-mode-server.js';

describe('Socket Mode', () => {
  let h: BotHarness;
  let socket: SocketModeServer;
  beforeEach(async () => {
    h = await startBotHarness({ socketMode: true });
    socket = h.socket as SocketModeServer;
    await socket.waitForConnections(1);
  });
  afterEach(async () => {
    await h?.close();
  });

  it('connects with the app-level token and answers a slash command, acked within 3 s', async () => {
    expect(socket.opens).toEqual([expect.objectContaining({ ok: true, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/) })]);
    expect(h.bot.eventsUrl).toBeUndefined();

    const res = await h.slack.command({ userId: 'U0BOB', text: 'help' });
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3000);
    await h.fake.waitForCall('response_url', (c) => c.url === res.responseUrl);
    expect(ephemeralTexts(h, 'U0BOB').join('\n')).toMatch(/\/vault restore/);
    // The ack went back on the socket, for that envelope.
    expect(socket.acks.at(-1)).toMatchObject({ known: true, late: false });
  });

  it('runs a seal once after two approvals, however many approvals arrive at once', async () => {
    await h.slack.command({ userId: 'U0CAROL', text: 'seal compromised root token' });
    await vi.waitFor(() => requestMessage(h), { timeout: 5000, interval: 20 });
    const parent = requestMessage(h);
    expect(parentText(h, parent)).toContain('Reason: compromised root token');

    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await vi.waitFor(() => expect(parentText(h, parent)).toMatch(/1 of 2 approvals/), { timeout: 5000, interval: 20 });
    expect(h.vault.state.sealed).toBe(false);
    // Bob's click arrives twice at once (a double click, or Slack's redelivery): one approval, one seal.
    const clicks = await Promise.all([
      h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' }),
      h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' }),
    ]);
    expect(clicks.map((c) => c.error)).toEqual([undefined, undefined]);

    await vi.waitFor(() => expect(threadTexts(h, parent).at(-1)).toMatch(/Sealed Vault at/), { timeout: 10_000, interval: 25 });
    expect(h.vault.state.sealed).toBe(true);
    const seals = h.vault.requests.filter((r) => r.url.startsWith('/v1/sys/seal') && !r.url.startsWith('/v1/sys/seal-status'));
    expect(seals.map((r) => r.method)).toEqual(['PUT']);
    expect(parentText(h, parent)).toContain('Done · 2 of 2 approvals: @U0ALICE and @U0BOB');
  });

  it('reconnects after Slack asks for a refresh, and later commands still work', async () => {
    const first = socket.openConnections()[0];
    await socket.disconnect('refresh_requested');
    await vi.waitFor(() => expect(socket.openConnections()).toHaveLength(0), { timeout: 2000, interval: 10 });

    // In the gap a command has nowhere to go: Slack shows dispatch_failed.
    const lost = await h.slack.command({ userId: 'U0BOB', text: 'help' });
    expect(lost.error).toBe('dispatch_failed');

    await socket.waitForConnections(1, 10_000);
    expect(socket.opens.filter((o) => o.ok)).toHaveLength(2);
    expect(socket.openConnections()[0]?.id).not.toBe(first?.id);
    expect(socket.allConnections().find((c) => c.id === first?.id)?.closedAt).toBeDefined();

    const res = await h.slack.command({ userId: 'U0BOB', text: 'help' });
    expect(res.error).toBeUndefined();
    await h.fake.waitForCall('response_url', (c) => c.url === res.responseUrl);
    expect(h.fake.responses(res.responseUrl)).toHaveLength(1);
  });

  it('reconnects after a warning too, and comes back after Socket Mode is turned off and on again', async () => {
    await socket.disconnect('warning');
    await vi.waitFor(() => expect(socket.opens.filter((o) => o.ok)).toHaveLength(2), { timeout: 10_000, interval: 20 });
    await socket.waitForConnections(1, 10_000);

    const opensBefore = socket.opens.length;
    await socket.disconnect('link_disabled');
    // @slack/socket-mode 3.1 keeps asking for a new link; while Socket Mode is off the link refuses it.
    await vi.waitFor(() => expect(socket.opens.length).toBeGreaterThan(opensBefore), { timeout: 10_000, interval: 20 });
    expect(socket.openConnections()).toHaveLength(0);
    socket.enable();
    await socket.waitForConnections(1, 15_000);
    const res = await h.slack.command({ userId: 'U0BOB', text: 'help' });
    expect(res.error).toBeUndefined();
    await h.fake.waitForCall('response_url', (c) => c.url === res.responseUrl);
  });
});
