/**
 * Issue 7 item 8 (DESIGN §6): only authorised users may run any command but help. Guests, bots and
 * deactivated users are refused privately, and each refusal is audited; nothing they ask for runs.
 * A second `backup now` while one is queued or running says who started it and when.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPS, ephemeralTexts, startBotHarness, type BotHarness } from './bot-harness.js';

const COMMANDS = ['status', 'backups', 'backups daily 3', 'backup now', 'restore', 'restore latest', 'seal', 'approvals', 'audit', 'audit 5', 'audit verify'];

describe('commands need authorisation', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
    h.fake.addUser({ id: 'U0LEFT', name: 'left', deleted: true });
  });
  afterEach(async () => {
    await h?.close();
  });

  it('a guest gets a refusal for every command but help, and each refusal is audited', async () => {
    for (const text of COMMANDS) await h.slack.command({ userId: 'U0GUEST', text });
    const seen = ephemeralTexts(h, 'U0GUEST');
    expect(seen).toHaveLength(COMMANDS.length);
    for (const line of seen) expect(line).toContain('Guest accounts can only use /vault help.');
    // Nothing ran: no request posted, no backup taken, Vault never asked.
    expect(h.fake.messages(OPS)).toHaveLength(0);
    expect(h.bot.backups.catalogue.list({ limit: 5 })).toHaveLength(0);
    expect(h.vault.requests.filter((r) => r.url.startsWith('/v1/sys/storage/raft/snapshot'))).toHaveLength(0);
    const refused = h.bot.deps.audit.tail(100).filter((r) => r.event === 'command.refused');
    expect(refused.map((r) => r.details.command)).toEqual(['status', 'backups', 'backups', 'backup-now', 'restore', 'restore', 'seal', 'approvals', 'audit', 'audit', 'audit-verify']);
    expect(new Set(refused.map((r) => `${r.actor} ${String(r.details.reason)}`))).toEqual(new Set(['U0GUEST guest']));

    await h.slack.command({ userId: 'U0GUEST', text: 'help' });
    expect(ephemeralTexts(h, 'U0GUEST').at(-1)).toContain('/vault status');
  });

  it('bots, deactivated and unlisted users are refused too; a listed member is served', async () => {
    await h.slack.command({ userId: 'U0ROBOT', text: 'backups' });
    await h.slack.command({ userId: 'U0LEFT', text: 'audit' });
    await h.slack.command({ userId: 'U0DAVE', text: 'status' });
    expect(ephemeralTexts(h, 'U0ROBOT').at(-1)).toContain('Bots can only use /vault help.');
    expect(ephemeralTexts(h, 'U0LEFT').at(-1)).toContain('Deactivated accounts cannot use /vault commands.');
    expect(ephemeralTexts(h, 'U0DAVE').at(-1)).toContain('You are not on the approver list, so the only command you can use is /vault help');
    await h.slack.command({ userId: 'U0ALICE', text: 'approvals' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).not.toContain('only use');
  });

  it('a second backup now while one is running says who started it and when', async () => {
    h.vault.faults = { latencyMs: 400 };
    await h.slack.command({ userId: 'U0ALICE', text: 'backup now' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('Manual backup started');
    await h.slack.command({ userId: 'U0BOB', text: 'backup now' });
    const second = ephemeralTexts(h, 'U0BOB').at(-1) ?? '';
    expect(second).toMatch(/A manual backup started by (@U0ALICE|<@U0ALICE>) at 2025-11-26 02:0\d:\d\d UTC is still queued or running, so no second one was started/);
    h.vault.faults = {};
    await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup'), 15_000);
    expect(h.bot.backups.catalogue.list({ limit: 5 })).toHaveLength(1);
    // Once it finished, the next one starts.
    await h.slack.command({ userId: 'U0BOB', text: 'backup now' });
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('Manual backup started');
  });
});
