/**
 * @module fake-slack.test The fake Web API on its own, through the real @slack/web-api client:
 * envelopes, error codes, expiry of trigger_ids and response_urls, pagination and faults.
 */
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './index.js';

const T0 = Date.parse('2025-11-26T02:00:00Z');

describe('fake Slack Web API', () => {
  let now = T0;
  let fake: FakeSlack;
  let client: webApi.WebClient;

  beforeEach(async () => {
    now = T0;
    fake = await startFakeSlack({
      clock: () => new Date(now),
      channels: [
        { id: 'C0OPS', name: 'vault-ops' },
        { id: 'C0QUIET', name: 'quiet', members: ['U0ALICE'] },
      ],
      usergroups: { S0APPROVERS: ['U0ALICE', 'U0BOB'] },
    });
    client = new webApi.WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
  });

  afterEach(() => fake.stop());

  const errorOf = async (call: Promise<unknown>): Promise<unknown> =>
    call.then(
      () => 'resolved',
      (e: unknown) => (e instanceof webApi.WebAPIPlatformError ? e.data.error : e),
    );

  it('answers auth.test with the app identity and refuses missing or unknown tokens', async () => {
    expect(await client.auth.test()).toMatchObject({ ok: true, team_id: fake.teamId, user_id: fake.botUserId, bot_id: fake.botId, url: `https://${fake.teamDomain}.slack.com/` });
    const stranger = new webApi.WebClient('xoxb-someone-else', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    expect(await errorOf(stranger.auth.test())).toBe('invalid_auth');
    expect(await errorOf(new webApi.WebClient(undefined, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }).auth.test())).toBe('not_authed');
    expect(await errorOf(client.apiCall('chat.scheduleMessage', { channel: 'C0OPS' }))).toBe('unknown_method');
    expect(fake.calls.map((c) => [c.method, c.status, c.error])).toEqual([
      ['auth.test', 200, undefined],
      ['auth.test', 200, 'invalid_auth'],
      ['auth.test', 200, 'not_authed'],
      ['chat.scheduleMessage', 200, 'unknown_method'],
    ]);
  });

  it('decodes form bodies as @slack/web-api sends them, and also accepts JSON with a bearer token', async () => {
    await client.chat.postMessage({ channel: 'C0OPS', text: 'hi', blocks: [{ type: 'divider' }], metadata: { event_type: 'req', event_payload: { id: 1 } } });
    const json = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0OPS', text: 'from json' }),
    });

    expect(await json.json()).toMatchObject({ ok: true, channel: 'C0OPS' });
    expect(fake.callsTo('chat.postMessage')[0]?.args).toMatchObject({ channel: 'C0OPS', text: 'hi', blocks: [{ type: 'divider' }], metadata: { event_type: 'req', event_payload: { id: 1 } } });
    expect(fake.callsTo('chat.postMessage')[0]?.token).toBe(fake.botToken);
    expect(fake.messages('C0OPS').map((m) => m.text)).toEqual(['hi', 'from json']);
  });

  it('mints unique, increasing ts even when the clock stands still', async () => {
    const a = await client.chat.postMessage({ channel: 'C0OPS', text: 'a' });
    const b = await client.chat.postMessage({ channel: 'C0OPS', text: 'b' });
    expect(a.ts).toBe('1764122400.000000');
    expect(b.ts).toBe('1764122400.000100');
    expect(a.message).toMatchObject({ type: 'message', text: 'a', user: fake.botUserId, bot_id: fake.botId, ts: a.ts });
  });

  it('enforces Slack limits and errors on postMessage, update and postEphemeral', async () => {
    const longSection = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    expect(await errorOf(client.chat.postMessage({ channel: 'C0OPS', text: 'x', blocks: longSection }))).toBe('invalid_blocks');
    expect(await errorOf(client.chat.postMessage({ channel: 'C0OPS', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    expect(await errorOf(client.chat.postMessage({ channel: 'C0OPS', text: '' }))).toBe('no_text');
    expect(await errorOf(client.chat.postMessage({ channel: 'C0QUIET', text: 'x' }))).toBe('not_in_channel');
    expect(await errorOf(client.chat.postMessage({ channel: 'C0OPS', text: 'x', thread_ts: '1.000000' }))).toBe('invalid_thread_ts');

    const human = fake.postAsUser('C0OPS', 'U0ALICE', '/vault seal please');
    expect(await errorOf(client.chat.update({ channel: 'C0OPS', ts: human.ts, text: 'hijack' }))).toBe('cant_update_message');
    expect(await errorOf(client.chat.update({ channel: 'C0OPS', ts: '1700000000.000100', text: 'x' }))).toBe('message_not_found');

    expect(await errorOf(client.chat.postEphemeral({ channel: 'C0OPS', user: 'U0NOBODY', text: 'x' }))).toBe('user_not_found');
    fake.addChannel({ id: 'C0SMALL', name: 'small', members: [fake.botUserId, 'U0ALICE'] });
    expect(await errorOf(client.chat.postEphemeral({ channel: 'C0SMALL', user: 'U0BOB', text: 'x' }))).toBe('user_not_in_channel');
    const eph = await client.chat.postEphemeral({ channel: 'C0OPS', user: 'U0BOB', text: 'psst' });
    expect(fake.ephemerals('U0BOB')).toMatchObject([{ ts: eph.message_ts, text: 'psst', source: 'chat.postEphemeral' }]);
    expect(fake.messages('C0OPS').map((m) => m.text)).toEqual(['/vault seal please']);
  });

  it('posts to the app DM when channel is a user ID', async () => {
    const res = await client.chat.postMessage({ channel: 'U0BOB', text: 'your approval is needed' });
    expect(res.channel).toMatch(/^D/);
    expect(fake.messages('U0BOB').map((m) => m.text)).toEqual(['your approval is needed']);
    expect(fake.channel(res.channel ?? '')).toMatchObject({ is_im: true, members: ['U0BOB', fake.botUserId] });
  });

  it('lists user groups and paginates channel members like Slack', async () => {
    expect((await client.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual(['U0ALICE', 'U0BOB']);
    expect(await errorOf(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).toBe('no_such_subteam');
    fake.setUsergroup('S0APPROVERS', ['U0CAROL']);
    expect((await client.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual(['U0CAROL']);

    const pages: string[][] = [];
    for await (const page of client.paginate('conversations.members', { channel: 'C0OPS', limit: 2 })) {
      pages.push((page as unknown as { members: string[] }).members);
    }
    expect(pages.flat()).toEqual(fake.channel('C0OPS')?.members);
    expect(pages.length).toBe(Math.ceil((fake.channel('C0OPS')?.members.length ?? 0) / 2));
    expect(await errorOf(client.conversations.members({ channel: 'C0OPS', cursor: 'bogus' }))).toBe('invalid_cursor');
  });

  it('makes trigger_ids single use and short lived for views.open', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Restore' }, blocks: [] };
    const first = fake.mintTriggerId();
    const opened = await client.views.open({ trigger_id: first, view });
    expect(opened.view).toMatchObject({ type: 'modal', team_id: fake.teamId, state: { values: {} } });
    expect(await errorOf(client.views.open({ trigger_id: first, view }))).toBe('exchanged_trigger_id');

    const late = fake.mintTriggerId();
    now += 3001;
    expect(await errorOf(client.views.open({ trigger_id: late, view }))).toBe('expired_trigger_id');
    expect(await errorOf(client.views.open({ trigger_id: 'made-up', view }))).toBe('invalid_trigger_id');
    const longTitle = { ...view, title: { type: 'plain_text' as const, text: 'x'.repeat(25) } };
    expect(await errorOf(client.views.open({ trigger_id: fake.mintTriggerId(), view: longTitle }))).toBe('invalid_arguments');
    expect(fake.views()).toHaveLength(1);
  });

  it('accepts five response_url posts within 30 minutes, then refuses', async () => {
    const post = (url: string, body: unknown): Promise<number> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
    const url = fake.responseUrl({ channel: 'C0OPS', user: 'U0ALICE' });
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push(await post(url, { text: `update ${i}` }));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(fake.responses(url).map((m) => m.text)).toEqual(['update 1', 'update 2', 'update 3', 'update 4', 'update 5']);

    const stale = fake.responseUrl({ channel: 'C0OPS', user: 'U0ALICE' });
    now += 30 * 60 * 1000 + 1;
    expect(await post(stale, { text: 'too late' })).toBe(404);
    expect(await post(fake.responseUrl(), { response_type: 'in_channel' })).toBe(400);
    expect(fake.callsTo('response_url').map((c) => c.error).filter(Boolean)).toEqual(['used_url', 'expired_url', 'no_text']);
  });

  it('injects faults per method: 429 with an integer Retry-After, 5xx, and repeated ok:false', async () => {
    fake.failNext('users.info', { error: 'ratelimited', retryAfter: 7 });
    const raw = await fetch(`${fake.apiUrl}users.info`, { method: 'POST', headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=U0ALICE' });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });

    fake.failNext('users.info', { error: 'service_unavailable', status: 503 });
    expect(await client.users.info({ user: 'U0ALICE' }).catch((e: unknown) => e)).toBeInstanceOf(webApi.WebAPIHTTPError);

    fake.failNext('users.info', { error: 'missing_scope', times: 2, extra: { needed: 'users:read', provided: 'chat:write' } });
    const scope = await client.users.info({ user: 'U0ALICE' }).catch((e: unknown) => e);
    expect((scope as webApi.WebAPIPlatformError).data).toMatchObject({ error: 'missing_scope', needed: 'users:read' });
    expect(await errorOf(client.users.info({ user: 'U0ALICE' }))).toBe('missing_scope');
    expect((await client.users.info({ user: 'U0ALICE' })).ok).toBe(true);
  });
});
