/**
 * Alerts as people see them in the ops channel, through the whole bot: the Vault test server's
 * state and faults drive real health rounds, the Slack fake records what was posted, updated and
 * clicked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../support/slack/index.js';
import { ephemeralTexts, OPS, ONCALL, readable, startBotHarness, type BotHarness, type HarnessOptions } from './bot-harness.js';

const MIN = 60_000;

describe('alerts in Slack', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** A bot with one good backup, so only what a test breaks is failing. */
  const start = async (o: HarnessOptions = {}): Promise<BotHarness> => {
    h = await startBotHarness(o);
    const outcome = await h.bot.backups.backup('daily', 'system');
    if (!outcome.ok) throw new Error('the setup backup failed');
    return h;
  };
  /** One health round, one minute later. */
  const round = async (bot: BotHarness, advanceMs = MIN): Promise<void> => {
    bot.clock.advance(advanceMs);
    await bot.bot.health.tick();
  };
  const alertMessages = (bot: BotHarness): StoredMessage[] =>
    bot.fake.messages(OPS).filter((m) => (m.blocks ?? []).some((b) => typeof b.block_id === 'string' && b.block_id.startsWith('alert:')));
  const current = (bot: BotHarness, m: StoredMessage): string => readable(bot, bot.fake.message(OPS, m.ts) ?? m);
  const thread = (bot: BotHarness, m: StoredMessage): string[] => bot.fake.thread(OPS, m.ts).slice(1).map((x) => readable(bot, x));

  it('sealing fires one critical alert with the on-call mention; reminders stop after Acknowledge; unsealing resolves it', async () => {
    const bot = await start();
    await round(bot);
    expect(alertMessages(bot)).toEqual([]);

    bot.vault.state.sealed = true;
    await round(bot);
    await round(bot);
    const alerts = alertMessages(bot);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0] as StoredMessage;
    expect(String(alert.text)).toContain(`<!subteam^${ONCALL}>`);
    expect(current(bot, alert)).toContain('Vault is sealed');
    expect(current(bot, alert)).toContain('critical');

    await round(bot, 15 * MIN);
    expect(thread(bot, alert)).toEqual([expect.stringMatching(/^@S0ONCALL :bell: Reminder 1: Vault is sealed has been firing for 16 min/)]);

    await bot.slack.clickButton({ userId: 'U0ALICE', message: bot.fake.message(OPS, alert.ts) ?? alert, actionId: 'alert_ack' });
    expect(current(bot, alert)).toMatch(/Acknowledged by @U0ALICE at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await round(bot, 15 * MIN);
    await round(bot, 15 * MIN);
    expect(thread(bot, alert)).toHaveLength(1);
    const acked = bot.bot.deps.audit.tail(50).find((r) => r.event === 'alert.acknowledged');
    expect(acked).toMatchObject({ actor: 'U0ALICE', target: 'vault_sealed' });

    bot.vault.state.sealed = false;
    await round(bot);
    await round(bot);
    expect(thread(bot, alert).at(-1)).toMatch(/^:white_check_mark: Vault is sealed: resolved after \d+ min\.$/);
    expect(current(bot, alert)).toContain('resolved');
    expect(alertMessages(bot)).toHaveLength(1);
    const events = bot.bot.deps.audit.tail(50).map((r) => r.event).filter((e) => e.startsWith('alert.'));
    expect(events).toEqual(['alert.fired', 'alert.reminded', 'alert.acknowledged', 'alert.resolved']);
    // Secrets never reach Slack, the log or the audit rows.
    const slackCalls = ['chat.postMessage', 'chat.update'].flatMap((m) => bot.fake.callsTo(m).map((c) => c.args));
    const seen = JSON.stringify(slackCalls) + bot.logs.join('\n') + JSON.stringify(bot.bot.deps.audit.tail(100));
    for (const secret of [bot.vault.rootToken, bot.config.auditKey ?? 'unset', ...bot.vault.unsealKeys()]) expect(seen).not.toContain(secret);
  });

  it('a guest cannot acknowledge; they are told privately and the reminders go on', async () => {
    const bot = await start();
    bot.vault.state.sealed = true;
    await round(bot);
    const alert = alertMessages(bot)[0] as StoredMessage;
    await bot.slack.clickButton({ userId: 'U0GUEST', message: alert, actionId: 'alert_ack' });
    expect(ephemeralTexts(bot, 'U0GUEST').at(-1)).toContain('Guest accounts cannot acknowledge alerts');
    expect(current(bot, alert)).not.toContain('Acknowledged');
    await round(bot, 15 * MIN);
    expect(thread(bot, alert)).toHaveLength(1);
  });

  it('a restart while an alert fires does not fire it again', async () => {
    const bot = await start();
    bot.vault.state.sealed = true;
    await round(bot);
    await bot.restart();
    await round(bot);
    await round(bot);
    expect(alertMessages(bot)).toHaveLength(1);
  });

  it('an OpenBao standby answer raises nothing', async () => {
    const bot = await start({ vault: { flavor: 'openbao' } });
    bot.vault.faults = { standby: { activeAddr: 'http://10.0.0.1:8200' } };
    await round(bot);
    await round(bot);
    await round(bot);
    expect(alertMessages(bot)).toEqual([]);
  });

  it('a message Slack refused is posted on the next round, once', async () => {
    const bot = await start();
    // The setup backup's ✅ line goes out in the background; let it pass before breaking Slack.
    await bot.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('backup'));
    bot.vault.state.sealed = true;
    bot.fake.failNext('chat.postMessage', { error: 'internal_error' });
    await round(bot);
    expect(alertMessages(bot)).toEqual([]);
    await round(bot);
    await round(bot);
    expect(alertMessages(bot)).toHaveLength(1);
  });

  it('a failing backup pages once through the alert, and the next good backup resolves it', async () => {
    const bot = await start();
    bot.vault.faults = { failPaths: { 'sys/storage/raft/snapshot': { status: 500, message: 'raft is on fire' } } };
    await bot.bot.backups.backup('daily', 'system');
    await bot.bot.backups.backup('daily', 'system');
    await bot.bot.notificationsIdle(); // alerts are posted off the backup's path
    const pages = bot.fake.messages(OPS).filter((m) => String(m.text).includes(`<!subteam^${ONCALL}>`));
    expect(pages).toHaveLength(1);
    const alert = pages[0] as StoredMessage;
    expect(current(bot, alert)).toContain('Backup failed (daily)');
    expect(thread(bot, alert)[0]).toContain('Still failing');
    bot.vault.faults = {};
    await bot.bot.backups.backup('daily', 'system');
    await bot.bot.notificationsIdle();
    expect(thread(bot, alert).at(-1)).toMatch(/Backup failed \(daily\): resolved after/);
  });

  it('a backup older than 25 h by the store raises the high overdue alert although the catalogue is fresh', async () => {
    const bot = await start();
    const newest = bot.bot.backups.catalogue.newestVerified();
    if (!newest) throw new Error('no backup in the catalogue');
    // The bucket lost it (a lifecycle rule, a mistaken delete); the catalogue still lists it as fresh.
    await bot.bot.backups.store.delete(newest.key);
    await round(bot);
    await round(bot);
    const alerts = alertMessages(bot);
    expect(alerts).toHaveLength(1);
    const text = current(bot, alerts[0] as StoredMessage);
    expect(text).toContain('Backup overdue · high');
    expect(text).toContain('the store holds no backup from the last 25 h');
    expect(String(alerts[0]?.text)).not.toContain('<!subteam^');
  });

  it('/vault alerts and /vault status show what is firing and every check since when', async () => {
    const bot = await start();
    bot.vault.state.sealed = true;
    await round(bot);
    await bot.slack.command({ userId: 'U0ALICE', text: 'alerts' });
    expect(ephemeralTexts(bot, 'U0ALICE').at(-1)).toMatch(/1 alert firing\n:rotating_light: Vault is sealed \(critical\) · firing for \d+ s · not acknowledged/);
    await bot.slack.command({ userId: 'U0ALICE', text: 'status' });
    const status = ephemeralTexts(bot, 'U0ALICE').at(-1) ?? '';
    expect(status).toContain('Firing\n:rotating_light: Vault is sealed (critical)');
    expect(status).toMatch(/:red_circle: sealed, v\S+ · \d+ ms/);
    expect(status).not.toContain('sealed, sealed');
    expect(status).toMatch(/:red_circle: Unsealed · failing since \d\d-\d\d \d\d:\d\d UTC — Vault is sealed/);
    expect(status).toMatch(/:large_green_circle: Reachable · ok since/);
    expect(status).toContain('Backup age · ok since');
  });

  it('/vault alerts shows what resolved in the last day once nothing fires, and refuses extra words', async () => {
    const bot = await start();
    bot.vault.state.sealed = true;
    await round(bot);
    bot.vault.state.sealed = false;
    await round(bot);
    await round(bot);
    await bot.slack.command({ userId: 'U0BOB', text: 'alerts' });
    expect(ephemeralTexts(bot, 'U0BOB').at(-1)).toMatch(/^:large_green_circle: Nothing is firing\.\nResolved in the last 24 h\n:white_check_mark: Vault is sealed · resolved after 2 min, \d+ s ago$/);
    await bot.slack.command({ userId: 'U0BOB', text: 'alerts now' });
    expect(ephemeralTexts(bot, 'U0BOB').at(-1)).toContain('`alerts` takes no arguments (got "now").');
  });
});
