/**
 * `/vault seal` from Slack to Vault: two approvals seal the production Vault exactly once, and the
 * result shown in the thread is confirmed by seal-status, not assumed from the PUT.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

describe('seal through Slack', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('seals the Vault once after two approvals, and says so in the thread', async () => {
    await h.slack.command({ userId: 'U0CAROL', text: 'seal compromised root token' });
    const parent = requestMessage(h);
    expect(parentText(h, parent)).toContain('Reason: compromised root token');
    expect(h.vault.state.sealed).toBe(false);

    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    expect(h.vault.state.sealed).toBe(false);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });

    expect(h.vault.state.sealed).toBe(true);
    const seals = h.vault.requests.filter((r) => r.url.startsWith('/v1/sys/seal') && !r.url.startsWith('/v1/sys/seal-status'));
    expect(seals.map((r) => r.method)).toEqual(['PUT']);
    expect(threadTexts(h, parent).at(-1)).toMatch(/Sealed Vault at http:\/\/127\.0\.0\.1:\d+; its sys\/health confirms it is sealed and nothing serves\. _\(ran \d+ ms\)_/);
    expect(parentText(h, parent)).toContain('Done · 2 of 2 approvals: @U0ALICE and @U0BOB');
    const events = h.bot.deps.audit.tail(50).map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['approval.requested', 'approval.approved', 'approval.executing', 'approval.succeeded']));
  });

  it('reports a seal that Vault refused as failed, with Vault’s reason and no stack', async () => {
    h.vault.faults = { failPaths: { 'sys/seal': { status: 403, message: 'permission denied' } } };
    await h.slack.command({ userId: 'U0CAROL', text: 'seal' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    const last = threadTexts(h, parent).at(-1) ?? '';
    expect(last).toMatch(/^:x: /);
    expect(last).not.toMatch(/\n\s+at /);
    expect(parentText(h, parent)).toContain('Failed');
    expect(h.vault.state.sealed).toBe(false);
  });
});
