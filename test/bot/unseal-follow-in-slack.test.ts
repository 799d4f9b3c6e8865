/**
 * `/vault unseal-status`, and the unseal followed in an emergency seal's thread: per-node progress
 * as key holders unseal with their own client, then "Vault serves again" with how long it was
 * sealed. The shares go to Vault directly; none reaches Slack, the log or the audit log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startVaultServer } from '../support/vault/server.js';
import { ephemeralTexts, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';
import { eventually, leakedValues } from './rotation-helpers.js';

async function unseal(h: BotHarness, key: string): Promise<void> {
  const res = await fetch(`${h.vault.url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
  expect(res.status).toBe(200);
}

describe('unseal status and the unseal after a seal', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('shows threshold, progress and each node’s seal state', async () => {
    h = await startBotHarness();
    await h.slack.command({ userId: 'U0CAROL', text: 'unseal-status' });
    expect(ephemeralTexts(h, 'U0CAROL').at(-1)).toMatch(/every node that answered is unsealed \(threshold 3 of 5\)[\s\S]*unsealed \(3 of 5 shares unseal it\)/);
    await h.slack.command({ userId: 'U0CAROL', text: 'unseal-status now' });
    expect(ephemeralTexts(h, 'U0CAROL').at(-1)).toContain('`unseal-status` takes no arguments');
  });

  it('reads every node of VAULT_NODE_ADDRS on its own, and lists one that does not answer', async () => {
    const sealedNode = await startVaultServer({ sealed: true });
    try {
      h = await startBotHarness({ env: { VAULT_NODE_ADDRS: `${sealedNode.url},http://127.0.0.1:9` } });
      await h.slack.command({ userId: 'U0CAROL', text: 'unseal-status' });
      const said = ephemeralTexts(h, 'U0CAROL').at(-1) ?? '';
      expect(said).toContain('1 of 3 nodes sealed, 1 unreachable (threshold 3 of 5)');
      expect(said).toContain(`\`${h.vault.url}\` — unsealed (3 of 5 shares unseal it)`);
      expect(said).toContain(`\`${sealedNode.url}\` — sealed, 0 of 3 key shares given`);
      expect(said).toMatch(/`http:\/\/127\.0\.0\.1:9` — unreachable: cannot reach Vault/);
    } finally {
      await sealedNode.stop();
    }
  });

  it('follows the unseal in the seal thread until Vault serves again, and says how long it was sealed', async () => {
    h = await startBotHarness({ launch: { followPollMs: 10 } });
    const keys = h.vault.unsealKeys();
    await h.slack.command({ userId: 'U0CAROL', text: 'seal leaked root token' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    expect(h.vault.state.sealed).toBe(true);
    expect(threadTexts(h, parent).join('\n')).toContain('progress follows in this thread until Vault serves again');

    await h.slack.command({ userId: 'U0CAROL', text: 'unseal-status' });
    expect(ephemeralTexts(h, 'U0CAROL').at(-1)).toMatch(/1 of 1 node sealed[\s\S]*sealed, 0 of 3 key shares given/);

    await unseal(h, keys[0] as string);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toContain(`Unseal progress on ${h?.vault.url}: 1 of 3 key shares given.`));
    await unseal(h, keys[1] as string);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toContain('2 of 3 key shares given'));
    await unseal(h, keys[2] as string);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).at(-1)).toMatch(/Vault serves again: http:\/\/127\.0\.0\.1:\d+ is active\. It was sealed for \d+(\.\d)? (ms|s)\./));
    expect(h.bot.deps.audit.tail(50).map((r) => r.event)).toContain('seal.unsealed');
    expect(leakedValues(h, keys)).toEqual([]);
  });
});
