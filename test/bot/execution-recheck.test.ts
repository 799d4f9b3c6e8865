/**
 * Issue 7 item 7 through Slack: an approver deactivated after voting no longer counts when the
 * action is about to run; the seal does not happen and the thread names the dropped vote.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

describe('votes re-checked at execution', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('a deactivated approver’s vote does not count: nothing is sealed and the thread says why', async () => {
    await h.slack.command({ userId: 'U0CAROL', text: 'seal suspected breach' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    // Alice leaves the company between her click and Bob's.
    h.fake.addUser({ id: 'U0ALICE', name: 'alice', deleted: true });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });

    expect(h.vault.state.sealed).toBe(false);
    expect(h.vault.requests.some((r) => r.method === 'PUT' && r.url === '/v1/sys/seal')).toBe(false);
    const last = threadTexts(h, parent).at(-1) ?? '';
    expect(last).toContain('Not run: the vote of U0ALICE (deactivated) no longer counts, leaving 1 of 2 approvals');
    expect(last).toContain('No longer counted at execution: vote of @U0ALICE: deactivated');
    expect(parentText(h, parent)).toContain('Failed');
    expect(h.bot.deps.audit.tail(30).map((r) => r.event)).toContain('approval.votes_rechecked');
  });
});
