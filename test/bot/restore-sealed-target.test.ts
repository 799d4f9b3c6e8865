/**
 * Issue 7 item 12: a restore against a sealed target is refused when it is requested, saying the
 * target is sealed (no request to approve in vain); and a target sealed between the request and
 * the last approval fails the run with a message that says to unseal, then request again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPS, ephemeralTexts, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

describe('restore against a sealed target', () => {
  let h: BotHarness;
  let key: string;
  beforeEach(async () => {
    h = await startBotHarness();
    const made = await h.bot.backups.backup('manual', 'U0ALICE');
    if (!made.ok) throw new Error('backup failed');
    key = made.report.key;
  });
  afterEach(async () => {
    await h?.close();
  });

  it('is refused at request time, saying the target is sealed', async () => {
    h.vault.state.sealed = true;
    await h.slack.command({ userId: 'U0ALICE', text: `restore ${key}` });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain(
      `The production Vault at ${h.vault.url} is sealed, so no restore was requested: a restore first takes a safety snapshot, which a sealed Vault cannot give. Unseal it with your key holders, then request the restore again.`,
    );
    expect(h.fake.messages(OPS).filter((m) => /requested by/.test(m.text))).toHaveLength(0);
    expect(h.bot.approvals.list()).toHaveLength(0);
  });

  it('sealed after the request: the approved run fails and says to re-request after unsealing', async () => {
    await h.slack.command({ userId: 'U0ALICE', text: `restore ${key}` });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    h.vault.state.sealed = true;
    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
    const last = threadTexts(h, parent).at(-1) ?? '';
    expect(last).toContain(`The production Vault at ${h.vault.url} was sealed when the approved restore ran (step safety-snapshot), so nothing was restored. Unseal it with your key holders, then request the restore again; this approval cannot be reused.`);
    expect(h.vault.restores).toHaveLength(0);
  });
});
