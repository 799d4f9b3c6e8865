/**
 * @module harness.test Proves the Slack harness against a minimal real Bolt app over HTTP:
 * signing, command and block_actions delivery, the fake's message model, faults and respond().
 */
import type { AddressInfo } from 'node:net';
import { App, LogLevel, webApi, type types } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackDriver, renderText, startFakeSlack, type FakeSlack, type SlackDriver } from './index.js';

const SECRET = 'test-signing-secret';

interface Bot {
  app: App;
  botUrl: string;
  slack: SlackDriver;
}

/** A real Bolt app on an ephemeral port, wired to the fake as the harness header describes. */
async function startBot(fake: FakeSlack, register: (app: App) => void, clientOptions: webApi.WebClientOptions = {}): Promise<Bot> {
  const app = new App({
    token: fake.botToken,
    signingSecret: SECRET,
    processBeforeResponse: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, ...clientOptions },
  });
  register(app);
  const server = await app.start(0);
  const botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  return { app, botUrl, slack: createSlackDriver({ botUrl, signingSecret: SECRET, fake }) };
}

const approvalBlocks = (requestId: string): types.KnownBlock[] => [
  { type: 'section', text: { type: 'mrkdwn', text: `*Seal requested* by <@U0ALICE> (${requestId})` } },
  {
    type: 'actions',
    block_id: 'approval',
    elements: [
      { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: requestId, style: 'primary' },
      { type: 'button', action_id: 'deny', text: { type: 'plain_text', text: 'Deny' }, value: requestId },
    ],
  },
];

describe('Slack harness with a real Bolt app', () => {
  let fake: FakeSlack;
  let bot: Bot | undefined;

  beforeEach(async () => {
    fake = await startFakeSlack({
      users: [
        { id: 'U0ALICE', name: 'alice' },
        { id: 'U0BOB', name: 'bob' },
        { id: 'U0GUEST', name: 'gus', is_restricted: true },
        { id: 'U0SINGLE', name: 'sam', is_restricted: true, is_ultra_restricted: true },
      ],
    });
  });

  afterEach(async () => {
    await bot?.app.stop();
    bot = undefined;
    await fake.stop();
  });

  it('delivers a signed slash command with every Slack field and answers the ack with 200', async () => {
    const seen: Record<string, string>[] = [];
    bot = await startBot(fake, (app) =>
      app.command('/vault', async ({ command, ack }) => {
        seen.push({ ...command });
        await ack();
      }),
    );

    const res = await bot.slack.command({ userId: 'U0ALICE', text: 'restore 2025-11-26 --force' });

    expect(res).toMatchObject({ status: 200, body: '', timedOut: false });
    expect(res.error).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({
      token: 'fake-verification-token',
      team_id: fake.teamId,
      team_domain: fake.teamDomain,
      channel_id: fake.defaultChannel,
      channel_name: 'vault-ops',
      user_id: 'U0ALICE',
      user_name: 'alice',
      command: '/vault',
      text: 'restore 2025-11-26 --force',
      api_app_id: fake.appId,
      is_enterprise_install: 'false',
      response_url: res.responseUrl,
      trigger_id: res.triggerId,
    });
    // Bolt verified its token at construction (reference §9 item 8).
    expect(fake.callsTo('auth.test')[0]?.ok).toBe(true);
  });

  it('answers 401 to unsigned, stale and wrong-secret requests without running the listener', async () => {
    let runs = 0;
    bot = await startBot(fake, (app) =>
      app.command('/vault', async ({ ack }) => {
        runs += 1;
        await ack();
      }),
    );

    expect(await bot.slack.sendUnsigned()).toBe(401);
    expect(await bot.slack.sendStale()).toBe(401);
    expect(await bot.slack.sendWrongSecret()).toBe(401);
    // A charset suffix makes Bolt JSON.parse the form body (reference §1): the driver must never send one.
    const charset = await bot.slack.send('command=%2Fvault&text=help', { contentType: 'application/x-www-form-urlencoded; charset=utf-8' });
    expect(charset.status).toBe(400);
    expect(runs).toBe(0);
  });

  it('routes a button click on a posted message to app.action with block_id, value and user', async () => {
    const clicks: webApi.ChatUpdateArguments[] = [];
    const seen: Array<{ blockId: string; value: string | undefined; user: string; body: Record<string, unknown> }> = [];
    bot = await startBot(fake, (app) => {
      app.command('/vault', async ({ ack, say }) => {
        await ack();
        await say({ text: 'Seal requested', blocks: approvalBlocks('req-42') });
      });
      app.action({ action_id: 'approve', block_id: 'approval' }, async ({ ack, body, client }) => {
        await ack();
        if (body.type !== 'block_actions') return;
        const action = body.actions[0];
        if (action?.type !== 'button') return;
        seen.push({ blockId: action.block_id, value: action.value, user: body.user.id, body: body as unknown as Record<string, unknown> });
        const update = { channel: body.channel?.id ?? '', ts: body.message?.ts ?? '', text: 'Approved', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Approved by <@${body.user.id}> (1 of 2)` } }] };
        clicks.push(update);
        await client.chat.update(update);
      });
    });

    await bot.slack.command({ userId: 'U0ALICE', text: 'seal' });
    const [posted] = fake.messages(fake.defaultChannel);
    expect(posted).toBeDefined();
    if (!posted) return;
    const click = await bot.slack.clickButton({ userId: 'U0BOB', message: posted, actionId: 'approve' });

    expect(click.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ blockId: 'approval', value: 'req-42', user: 'U0BOB' });
    expect(seen[0]?.body).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: fake.teamId },
      container: { type: 'message', message_ts: posted.ts, channel_id: fake.defaultChannel, is_ephemeral: false },
      team: { id: fake.teamId, domain: fake.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: fake.defaultChannel, name: 'vault-ops' },
      message: { ts: posted.ts, bot_id: fake.botId, user: fake.botUserId },
      state: { values: {} },
      response_url: click.responseUrl,
      trigger_id: click.triggerId,
    });
    // The section had no block_id; Slack generates one when it stores the message (reference §3).
    expect(posted.blocks?.[0]?.block_id).toMatch(/^\w+$/);
    expect(renderText(fake.messages(fake.defaultChannel)[0])).toBe('Approved by @U0BOB (1 of 2)');
    expect(fake.message(fake.defaultChannel, posted.ts)?.history[0]?.text).toBe('Seal requested');
    // Listener clients are per-workspace, so their calls carry team_id (reference §4).
    expect(fake.callsTo('chat.update')[0]?.args).toMatchObject({ team_id: fake.teamId, channel: fake.defaultChannel, ts: posted.ts });
  });

  it('keeps postMessage threads in the model and shows chat.update edits in thread() and messages()', async () => {
    bot = await startBot(fake, () => undefined);
    const { client } = bot.app;
    const parent = await client.chat.postMessage({ channel: fake.defaultChannel, text: 'Restore requested' });
    const reply = await client.chat.postMessage({ channel: fake.defaultChannel, thread_ts: parent.ts ?? '', text: 'Approved by bob' });
    await client.chat.update({ channel: fake.defaultChannel, ts: reply.ts ?? '', text: 'Approved by bob (1 of 2)' });
    await client.chat.update({ channel: fake.defaultChannel, ts: parent.ts ?? '', text: 'Restore approved' });

    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    expect(fake.messages(fake.defaultChannel).map((m) => m.text)).toEqual(['Restore approved']);
    expect(fake.thread(fake.defaultChannel, parent.ts ?? '').map((m) => m.text)).toEqual(['Restore approved', 'Approved by bob (1 of 2)']);
    expect(fake.thread(fake.defaultChannel, parent.ts ?? '')[1]?.history.map((v) => v.text)).toEqual(['Approved by bob']);
  });

  it('surfaces an injected 429 as a rate-limit error when the client rejects rate-limited calls', async () => {
    const errors: unknown[] = [];
    bot = await startBot(
      fake,
      (app) =>
        app.command('/vault', async ({ ack, client, command }) => {
          await ack();
          const posted = await client.chat.postMessage({ channel: command.channel_id, text: 'Working' });
          await client.chat.update({ channel: command.channel_id, ts: posted.ts ?? '', text: 'Done' }).catch((e: unknown) => errors.push(e));
        }),
      { rejectRateLimitedCalls: true },
    );
    fake.failNext('chat.update', { status: 429, retryAfter: 0 });

    await bot.slack.command({ userId: 'U0ALICE', text: 'status' });

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(webApi.WebAPIRateLimitedError);
    expect((errors[0] as webApi.WebAPIRateLimitedError).retryAfter).toBe(0);
    const limited = fake.callsTo('chat.update')[0];
    expect(limited).toMatchObject({ status: 429, ok: false, error: 'ratelimited', response: { ok: false, error: 'ratelimited' } });
    expect(fake.messages(fake.defaultChannel)[0]?.text).toBe('Working');
  });

  it('surfaces ok:false as a platform error, and refuses more than 50 blocks with invalid_blocks', async () => {
    bot = await startBot(fake, () => undefined);
    const { client } = bot.app;
    fake.failNext('chat.postMessage', { error: 'not_in_channel' });

    const injected = await client.chat.postMessage({ channel: fake.defaultChannel, text: 'x' }).catch((e: unknown) => e);
    const unknownChannel = await client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }).catch((e: unknown) => e);
    const blocks = Array.from({ length: 51 }, (_, i) => ({ type: 'section', text: { type: 'plain_text', text: `line ${i}` } }));
    const tooMany = await client.chat.postMessage({ channel: fake.defaultChannel, text: 'x', blocks }).catch((e: unknown) => e);

    expect(injected).toBeInstanceOf(webApi.WebAPIPlatformError);
    expect((injected as webApi.WebAPIPlatformError).data.error).toBe('not_in_channel');
    expect((unknownChannel as webApi.WebAPIPlatformError).data.error).toBe('channel_not_found');
    expect(tooMany).toBeInstanceOf(webApi.WebAPIPlatformError);
    expect((tooMany as webApi.WebAPIPlatformError).data).toMatchObject({
      error: 'invalid_blocks',
      errors: ['no more than 50 items allowed [json-pointer:/blocks]'],
    });
    expect(fake.messages(fake.defaultChannel)).toEqual([]);
  });

  it('records respond() bodies posted to the response_url and shows them to the user', async () => {
    bot = await startBot(fake, (app) => {
      app.command('/vault', async ({ ack, respond, say }) => {
        await ack('Checking…');
        await respond({ text: 'Only you can see this', response_type: 'ephemeral' });
        await say({ text: 'Seal requested', blocks: approvalBlocks('req-7') });
      });
      app.action('deny', async ({ ack, respond }) => {
        await ack();
        await respond({ replace_original: true, text: 'Denied by bob' });
      });
    });

    const res = await bot.slack.command({ userId: 'U0ALICE', text: 'seal' });
    expect(res.reply).toEqual({ text: 'Checking…' });
    expect(fake.responses(res.responseUrl)).toEqual([{ text: 'Only you can see this', response_type: 'ephemeral' }]);
    // processBeforeResponse holds the ack body until the listener ends, so respond() shows first.
    expect(fake.ephemerals('U0ALICE').map((m) => [m.source, m.text])).toEqual([
      ['response_url', 'Only you can see this'],
      ['command_ack', 'Checking…'],
    ]);
    expect(fake.ephemerals('U0BOB')).toEqual([]);

    const [posted] = fake.messages(fake.defaultChannel);
    if (!posted) throw new Error('expected the approval message');
    const click = await bot.slack.clickButton({ userId: 'U0BOB', message: posted, actionId: 'deny' });
    expect(fake.responses(click.responseUrl)).toEqual([{ replace_original: true, text: 'Denied by bob' }]);
    expect(renderText(fake.messages(fake.defaultChannel)[0])).toBe('Denied by bob');
  });

  it('opens a modal with the click\'s trigger_id and replaces an ephemeral message through its response_url', async () => {
    bot = await startBot(fake, (app) => {
      app.command('/vault', async ({ ack, client, command }) => {
        await ack();
        await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: 'Pick a backup', blocks: approvalBlocks('req-9') });
      });
      app.action('approve', async ({ ack, body, client, respond }) => {
        await ack();
        if (body.type !== 'block_actions') return;
        await client.views.open({ trigger_id: body.trigger_id, view: { type: 'modal', title: { type: 'plain_text', text: 'Confirm restore' }, blocks: [] } });
        await respond({ replace_original: true, text: 'Opened the confirmation' });
      });
    });

    await bot.slack.command({ userId: 'U0ALICE', text: 'restore' });
    const [prompt] = fake.ephemerals('U0ALICE');
    if (!prompt) throw new Error('expected the ephemeral prompt');
    const click = await bot.slack.clickButton({ userId: 'U0ALICE', message: prompt, actionId: 'approve' });

    expect(click.payload).toMatchObject({ container: { is_ephemeral: true, message_ts: prompt.ts } });
    expect(click.payload).not.toHaveProperty('message');
    expect(fake.views()).toMatchObject([{ trigger_id: click.triggerId, view: { title: { text: 'Confirm restore' } } }]);
    expect(fake.ephemerals('U0ALICE').map((m) => m.text)).toEqual(['Opened the confirmation']);
  });

  it('flags an answer later than the ack deadline as operation_timeout and shows no reply', async () => {
    bot = await startBot(fake, (app) =>
      app.command('/vault', async ({ ack }) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await ack('too late');
      }),
    );
    // A short deadline keeps the test fast; the default is Slack's 3000 ms.
    const slow = createSlackDriver({ botUrl: bot.botUrl, signingSecret: SECRET, fake, ackDeadlineMs: 50 });

    const res = await slow.command({ userId: 'U0ALICE', text: 'status' });

    expect(res).toMatchObject({ status: 200, timedOut: true, error: 'operation_timeout' });
    expect(res.reply).toBeUndefined();
    expect(fake.ephemerals('U0ALICE')).toEqual([]);
  });

  it('answers users.info with the configured guest flags, and user_not_found for strangers', async () => {
    bot = await startBot(fake, () => undefined);
    const { client } = bot.app;

    const guest = await client.users.info({ user: 'U0GUEST' });
    const single = await client.users.info({ user: 'U0SINGLE' });
    const member = await client.users.info({ user: 'U0ALICE' });
    const stranger = await client.users.info({ user: 'U0NOBODY' }).catch((e: unknown) => e);

    expect(guest.user).toMatchObject({ id: 'U0GUEST', team_id: fake.teamId, is_restricted: true, is_ultra_restricted: false, deleted: false, is_bot: false });
    expect(single.user).toMatchObject({ is_restricted: true, is_ultra_restricted: true });
    expect(member.user).toMatchObject({ is_restricted: false, is_ultra_restricted: false, is_admin: false });
    expect((stranger as webApi.WebAPIPlatformError).data.error).toBe('user_not_found');
  });
});
