/**
 * The two-person rule as approvers meet it in Slack (DESIGN §6), driven through the real Bolt app:
 * refusals told privately and audited, one vote per person, exactly one run under concurrent and
 * repeated clicks, deny, cancel, expiry, a restart between approvals, and a failing chat.update.
 * The gated action here is the seal (one PUT to the Vault test server), so "ran once" is countable.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBlockActions, encodeForm, findButton, slackTs } from '../support/slack/payloads.js';
import type { StoredMessage } from '../support/slack/index.js';
import { OPS, ephemeralTexts, parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

const sealPuts = (h: BotHarness): number => h.vault.requests.filter((r) => r.method === 'PUT' && r.url.startsWith('/v1/sys/seal')).length;
const refusals = (h: BotHarness) =>
  h.bot.deps.audit
    .tail(200)
    .filter((r) => r.event === 'approval.refused')
    .map((r) => ({ actor: r.actor, reason: r.details.reason }));

async function requestSeal(h: BotHarness, by = 'U0ALICE', reason = 'suspected token leak') {
  const res = await h.slack.command({ userId: by, text: `seal ${reason}` });
  expect(res.status).toBe(200);
  return requestMessage(h);
}

/** A click from a client still showing an old copy of the message (the driver always sends the current one). */
async function staleClick(h: BotHarness, userId: string, stale: StoredMessage, actionId: string): Promise<number> {
  const found = findButton(stale.blocks, actionId);
  if (!found) throw new Error(`no ${actionId} on the stale copy`);
  const payload = buildBlockActions({
    teamId: h.fake.teamId, teamDomain: h.fake.teamDomain, appId: h.fake.appId, userId, userName: userId.toLowerCase(),
    channelId: OPS, channelName: 'vault-ops', verificationToken: 'test', message: stale, found,
    value: typeof found.button.value === 'string' ? found.button.value : undefined, actionTs: slackTs(Date.now()),
    responseUrl: h.fake.responseUrl({ channel: OPS, user: userId, messageTs: stale.ts }), triggerId: h.fake.mintTriggerId(),
  });
  return (await h.slack.send(encodeForm({ payload: JSON.stringify(payload) }))).status;
}

describe('approval gate in Slack', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('posts one request message with the frozen facts, buttons and the state line, and tells the requester', async () => {
    const parent = await requestSeal(h);
    expect(h.fake.messages(OPS)).toHaveLength(1);
    const text = parentText(h, parent);
    expect(text).toContain('Emergency seal requested by @U0ALICE');
    expect(text).toContain(h.vault.url);
    expect(text).toContain('Waiting for approvals · 0 of 2 approvals');
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toMatch(/posted in #C0VAULTOPS.*2 other approvers/);
  });

  it('refuses the requester, an unlisted user, a guest, a bot and another workspace, privately, and audits each', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0DAVE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0GUEST', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0ROBOT', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve', teamId: 'T0ELSEWHERE' });

    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('You made this request, so you cannot approve it');
    expect(ephemeralTexts(h, 'U0DAVE').at(-1)).toContain('You are not on the approver list');
    expect(ephemeralTexts(h, 'U0GUEST').at(-1)).toContain('Guest accounts cannot request or approve');
    expect(ephemeralTexts(h, 'U0ROBOT').at(-1)).toContain('Bots cannot request or approve');
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('Only members of this workspace');
    expect(refusals(h)).toEqual([
      { actor: 'U0ALICE', reason: 'self_approval' },
      { actor: 'U0DAVE', reason: 'not_authorised' },
      { actor: 'U0GUEST', reason: 'guest' },
      { actor: 'U0ROBOT', reason: 'bot' },
      { actor: 'U0BOB', reason: 'other_workspace' },
    ]);
    // Refusals are private: nothing in the thread, nothing counted, nothing run.
    expect(threadTexts(h, parent)).toEqual([]);
    expect(parentText(h)).toContain('0 of 2 approvals');
    expect(sealPuts(h)).toBe(0);
  });

  it('an unlisted user cannot request a gated action at all', async () => {
    await h.slack.command({ userId: 'U0DAVE', text: 'seal' });
    expect(h.fake.messages(OPS)).toHaveLength(0);
    expect(ephemeralTexts(h, 'U0DAVE').at(-1)).toContain('You are not on the approver list');
    // Refused before any request exists: commands themselves need authorisation (DESIGN §6).
    const refused = h.bot.deps.audit.tail(50).filter((r) => r.event === 'command.refused');
    expect(refused.map((r) => ({ actor: r.actor, reason: r.details.reason, command: r.details.command }))).toEqual([
      { actor: 'U0DAVE', reason: 'not_authorised', command: 'seal' },
    ]);
  });

  it('counts one person approving twice once', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('your approval counts once');
    expect(parentText(h)).toContain('1 of 2 approvals: @U0BOB');
    expect(threadTexts(h, parent)).toEqual([':white_check_mark: @U0BOB approved · 1 of 2 approvals']);
    expect(sealPuts(h)).toBe(0);
  });

  it('runs the action exactly once when two approvers click at once, with duplicate clicks', async () => {
    const parent = await requestSeal(h);
    const clicks = ['U0BOB', 'U0CAROL', 'U0BOB', 'U0CAROL', 'U0CAROL'].map((userId) =>
      h.slack.clickButton({ userId, message: parent, actionId: 'approval_approve' }),
    );
    const results = await Promise.all(clicks);
    expect(results.every((r) => r.status === 200 && !r.timedOut)).toBe(true);

    expect(sealPuts(h)).toBe(1);
    expect(h.vault.state.sealed).toBe(true);
    const thread = threadTexts(h, parent);
    expect(thread.filter((t) => t.includes('approved ·'))).toHaveLength(2);
    expect(thread.filter((t) => t.includes('Sealed Vault at'))).toHaveLength(1);
    expect(h.bot.approvals.list({ states: ['succeeded'] })).toHaveLength(1);
    expect(parentText(h)).toMatch(/Done · 2 of 2 approvals: @U0(BOB and @U0CAROL|CAROL and @U0BOB)/);
    // The finished request shows no buttons.
    expect(requestMessage(h).blocks?.some((b) => b.type === 'actions')).toBe(false);
  });

  it('stops on a deny: the parent says denied, the buttons are gone, nothing runs', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_deny' });
    expect(threadTexts(h, parent).at(-1)).toContain('@U0CAROL denied this request');
    expect(parentText(h)).toContain('Denied · 1 of 2 approvals: @U0BOB · denied by @U0CAROL');
    expect(h.fake.message(OPS, parent.ts)?.blocks?.some((b) => b.type === 'actions')).toBe(false);
    expect(h.bot.approvals.list({ states: ['denied'] })).toHaveLength(1);
    expect(sealPuts(h)).toBe(0);
  });

  it('refuses a late click from a client still showing the buttons of a decided request', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_deny' });
    expect(await staleClick(h, 'U0BOB', parent, 'approval_approve')).toBe(200);
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('This request has already been decided; nothing was changed.');
    expect(refusals(h)).toEqual([{ actor: 'U0BOB', reason: 'already_decided' }]);
    expect(parentText(h)).toContain('Denied');
    expect(sealPuts(h)).toBe(0);
  });

  it('lets the requester cancel, and nobody else', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_cancel' });
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('Only the person who made this request can cancel it');
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_cancel' });
    expect(threadTexts(h, parent).at(-1)).toContain('@U0ALICE cancelled this request');
    expect(parentText(h)).toContain('Cancelled by the requester');
    expect(sealPuts(h)).toBe(0);
  });

  it('expires on the sweep: the parent says expired, the thread says so, nothing runs', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    h.clock.advance(15 * 60_000 + 1000);
    expect(await h.bot.sweep()).toBe(1);
    expect(parentText(h)).toContain('Expired before enough approvals · 1 of 2 approvals: @U0BOB');
    expect(threadTexts(h, parent).at(-1)).toContain('This request expired');
    expect(h.fake.message(OPS, parent.ts)?.blocks?.some((b) => b.type === 'actions')).toBe(false);
    expect(sealPuts(h)).toBe(0);
  });

  it('refuses a click that arrives after expiry, before any sweep, and re-renders the parent', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    h.clock.advance(16 * 60_000);
    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
    expect(ephemeralTexts(h, 'U0CAROL').at(-1)).toContain('This request has expired');
    expect(refusals(h)).toContainEqual({ actor: 'U0CAROL', reason: 'expired' });
    expect(parentText(h)).toContain('Expired before enough approvals');
    expect(sealPuts(h)).toBe(0);
  });

  it('completes exactly once when the bot restarts between the first and the second approval', async () => {
    const parent = await requestSeal(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    await h.restart();
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('your approval counts once');
    expect(sealPuts(h)).toBe(1);
    expect(parentText(h)).toMatch(/Done · 2 of 2 approvals: @U0BOB and @U0CAROL/);
    expect(threadTexts(h, parent).filter((t) => t.includes('Sealed Vault at'))).toHaveLength(1);
  });

  it.each([
    ['a 429', { status: 429, retryAfter: 0 }],
    ['ok:false', { error: 'internal_error' }],
  ])('loses no state when chat.update fails with %s: the next approval works and the result is posted', async (_name, fault) => {
    const parent = await requestSeal(h);
    h.fake.failNext('chat.update', fault);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    // Slack still shows the old state line; the engine holds the vote.
    expect(parentText(h)).toContain('0 of 2 approvals');
    expect(h.bot.approvals.list({ states: ['pending'] })[0]?.approvers).toEqual(['U0BOB']);
    expect(h.logs.some((l) => l.includes('parent update failed'))).toBe(true);

    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
    expect(sealPuts(h)).toBe(1);
    expect(threadTexts(h, parent).some((t) => t.includes('Sealed Vault at'))).toBe(true);
    expect(parentText(h)).toContain('Done · 2 of 2 approvals: @U0BOB and @U0CAROL');
  });

  it('reports a request cut off by a crash in its thread at start-up and never re-runs it', async () => {
    const parent = await requestSeal(h);
    const id = h.bot.approvals.list()[0]?.id ?? '';
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    // The crash: the second approval was counted and the run claimed, then the process died.
    h.db.prepare(`UPDATE approval_requests SET state = 'executing', decided_at = ?, executed_at = ? WHERE id = ?`).run(h.clock.now().toISOString(), h.clock.now().toISOString(), id);
    await h.restart();
    expect(h.bot.approvals.status(id)?.state).toBe('interrupted');
    expect(threadTexts(h, parent).at(-1)).toContain('was interrupted and will not be re-run');
    expect(parentText(h)).toContain('Interrupted by a restart; not re-run');
    expect(sealPuts(h)).toBe(0);
  });

  it('runs, once, a request approved just before a restart that never started', async () => {
    const parent = await requestSeal(h);
    const id = h.bot.approvals.list()[0]?.id ?? '';
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    // The second approval was recorded, then the process stopped before the claim.
    h.db.prepare(`INSERT INTO approval_votes (request_id, user_id, decision, at) VALUES (?, 'U0ALICE', 'approve', ?)`).run(id, h.clock.now().toISOString());
    h.db.prepare(`UPDATE approval_requests SET state = 'approved', decided_at = ? WHERE id = ?`).run(h.clock.now().toISOString(), id);
    await h.restart();
    await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('Sealed Vault at'));
    await h.restart(); // and once more: nothing left to run
    expect(sealPuts(h)).toBe(1);
    expect(h.bot.approvals.status(id)?.state).toBe('succeeded');
    expect(threadTexts(h, parent).filter((t) => t.includes('Sealed Vault at'))).toHaveLength(1);
  });

  it('does not run an approval that is hours old when the bot comes back, and says so', async () => {
    const parent = await requestSeal(h);
    const id = h.bot.approvals.list()[0]?.id ?? '';
    const approvedAt = new Date(h.clock.now().getTime() - 3 * 3_600_000).toISOString();
    h.db.prepare(`UPDATE approval_requests SET state = 'approved', decided_at = ? WHERE id = ?`).run(approvedAt, id);
    await h.restart();
    await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('never started before the bot restarted'));
    expect(sealPuts(h)).toBe(0);
    expect(h.bot.approvals.status(id)?.state).toBe('interrupted');
    expect(threadTexts(h, parent).some((t) => /was not run\. Request it again/.test(t))).toBe(true);
  });
});
