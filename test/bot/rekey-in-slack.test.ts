/**
 * `/vault rotate unseal-keys` from Slack: two approvals start a rekey, the thread follows it from
 * start to completion while key holders give their shares with their own client (here: plain HTTP,
 * as the CLI does), on Vault (`sys/rekey/*`) and on OpenBao 2.5+ (`sys/rotate/root/*`). A share
 * pasted in the thread is deleted where Slack lets the bot, warned about, and never logged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { VaultFlavor } from '../support/vault/types.js';
import { parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';
import { eventually, leakedValues, postInThread } from './rotation-helpers.js';

const FLAVOURS: { flavor: VaultFlavor; api: string; update: string }[] = [
  { flavor: 'vault', api: 'sys/rekey', update: 'sys/rekey/update' },
  { flavor: 'openbao', api: 'sys/rotate/root', update: 'sys/rotate/root/update' },
];

async function giveShare(h: BotHarness, path: string, key: string, nonce: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.vault.url}/v1/${path}`, {
    method: 'PUT',
    headers: { 'X-Vault-Token': h.vault.rootToken, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key, nonce }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  return (body.data as Record<string, unknown> | undefined) ?? body;
}

describe('rotate unseal-keys through Slack', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const { flavor, api, update } of FLAVOURS) {
    it(`follows a rekey from start to completion on ${flavor} (${api})`, async () => {
      h = await startBotHarness({ vault: { flavor }, env: { REKEY_SHARES: '3', REKEY_THRESHOLD: '2' }, launch: { followPollMs: 10 } });
      const oldKeys = h.vault.unsealKeys();
      await h.slack.command({ userId: 'U0CAROL', text: 'rotate unseal-keys' });
      const parent = requestMessage(h);
      expect(parentText(h, parent)).toContain('2 of 3 (today 3 of 5)');
      expect(parentText(h, parent)).toMatch(new RegExp(`API\\s+${api}/`));

      await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
      await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
      const started = threadTexts(h, parent).find((t) => t.includes('Rekey started')) ?? '';
      expect(started).toContain(`Rekey started through ${api}/init`);
      expect(started).toContain('0 of 3 current key shares given');
      expect(started).toContain('never in Slack');
      const nonce = /nonce ([0-9a-f-]{36})/.exec(started)?.[1] ?? '';
      expect(nonce).not.toBe('');

      await giveShare(h, update, oldKeys[0] as string, nonce);
      await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toContain('Rekey progress: 1 of 3 key shares given'));
      await giveShare(h, update, oldKeys[1] as string, nonce);
      await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toContain('Rekey progress: 2 of 3 key shares given'));
      const done = await giveShare(h, update, oldKeys[2] as string, nonce);
      expect(done.complete).toBe(true);
      const newKeys = done.keys as string[];
      expect(newKeys).toHaveLength(3);

      await eventually(() => expect(threadTexts(h as BotHarness, parent).at(-1)).toContain(`Rekey \`${nonce}\` completed through ${api}`));
      expect(threadTexts(h, parent).at(-1)).toContain('2 of 3 new key shares');
      const events = h.bot.deps.audit.tail(100).map((r) => r.event);
      expect(events).toEqual(expect.arrayContaining(['rotation.rekey.starting', 'rotation.rekey.started', 'rotation.rekey.completed']));
      expect(leakedValues(h, [...oldKeys, ...newKeys, ...newKeys.map((k) => Buffer.from(k, 'hex').toString('base64'))])).toEqual([]);
    });
  }

  it('says so when key holders cancel the rekey', async () => {
    h = await startBotHarness({ env: { REKEY_SHARES: '3', REKEY_THRESHOLD: '2' }, launch: { followPollMs: 10 } });
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate unseal-keys' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    const nonce = /nonce ([0-9a-f-]{36})/.exec(threadTexts(h, parent).join('\n'))?.[1] ?? '';
    await giveShare(h, 'sys/rekey/update', h.vault.unsealKeys()[0] as string, nonce);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toContain('Rekey progress: 1 of 3'));
    expect((await fetch(`${h.vault.url}/v1/sys/rekey/init`, { method: 'DELETE', body: JSON.stringify({ nonce }) })).status).toBe(204);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).at(-1)).toContain(`Rekey \`${nonce}\` was cancelled before it completed: Vault still unseals with the old 3 of 5 shares.`));
    expect(h.bot.deps.audit.tail(50).map((r) => r.event)).toContain('rotation.rekey.cancelled');
  });

  it('takes the rekey up again after a restart and reports its completion', async () => {
    h = await startBotHarness({ env: { REKEY_SHARES: '3', REKEY_THRESHOLD: '2' }, launch: { followPollMs: 10 } });
    const keys = h.vault.unsealKeys();
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate unseal-keys' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    const nonce = /nonce ([0-9a-f-]{36})/.exec(threadTexts(h, parent).join('\n'))?.[1] ?? '';
    await giveShare(h, 'sys/rekey/update', keys[0] as string, nonce);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toContain('Rekey progress: 1 of 3'));

    await h.restart();
    await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toContain('The bot restarted; following the rekey again from here.'));
    await giveShare(h, 'sys/rekey/update', keys[1] as string, nonce);
    await giveShare(h, 'sys/rekey/update', keys[2] as string, nonce);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).at(-1)).toContain(`Rekey \`${nonce}\` completed through sys/rekey`));
    expect(h.bot.deps.audit.tail(100).filter((r) => r.event === 'rotation.rekey.completed')).toHaveLength(1);
  });

  it('refuses at request time while another rekey is in progress', async () => {
    h = await startBotHarness();
    await fetch(`${h.vault.url}/v1/sys/rekey/init`, { method: 'PUT', body: JSON.stringify({ secret_shares: 3, secret_threshold: 2 }) });
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate unseal-keys' });
    const said = h.fake.ephemerals('U0CAROL').map((m) => m.text).at(-1) ?? '';
    expect(said).toContain('A rekey is already in progress');
    expect(h.fake.messages('C0VAULTOPS').filter((m) => /requested/.test(m.text))).toHaveLength(0);
  });

  it('warns about a share pasted in the thread, tries to delete it, and never logs it', async () => {
    h = await startBotHarness({ launch: { followPollMs: 10 } });
    const share = h.vault.unsealKeys()[0] as string;
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate unseal-keys' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });

    const hex = await postInThread(h, 'U0DAVE', parent.ts, `my share: ${share}`);
    expect(hex.status).toBe(200);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).join('\n')).toMatch(/@U0DAVE, your message looks like an unseal key share and I could not delete it/));
    const deletes = h.fake.callsTo('chat.delete');
    expect(deletes.map((c) => [c.args.ts, c.error])).toEqual([[hex.ts, 'cant_delete_message']]);

    const b64 = Buffer.from(share, 'hex').toString('base64');
    await postInThread(h, 'U0ALICE', parent.ts, b64);
    await eventually(() => expect(threadTexts(h as BotHarness, parent).filter((t) => t.includes('looks like an unseal key share'))).toHaveLength(2));
    await postInThread(h, 'U0ALICE', parent.ts, 'sha256 of the snapshot is fine, thanks');
    expect(h.fake.callsTo('chat.delete')).toHaveLength(2);

    const audit = h.bot.deps.audit.tail(100).filter((r) => r.event === 'rotation.share_pasted');
    expect(audit.map((r) => [r.actor, r.details])).toEqual([
      ['U0DAVE', { deleted: false, slackError: 'cant_delete_message' }],
      ['U0ALICE', { deleted: false, slackError: 'cant_delete_message' }],
    ]);
    // The share is in the fake's channel model (people saw it); it must be nowhere the bot wrote.
    expect(h.logs.join('\n')).not.toContain(share);
    expect(h.logs.join('\n')).not.toContain(b64);
    expect(JSON.stringify(h.bot.deps.audit.tail(1000))).not.toContain(share);
    const botWrites = JSON.stringify(h.fake.calls.filter((c) => c.method.startsWith('chat.') && c.method !== 'chat.delete').map((c) => c.args));
    expect(botWrites).not.toContain(share);
    expect(botWrites).not.toContain(b64);
  });
});
