/**
 * PagerDuty beside Slack, through the whole bot: a sealed Vault triggers, Acknowledge in Slack
 * acknowledges and unsealing resolves — one stable dedup_key — and a PagerDuty outage delays no
 * Slack message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../support/slack/index.js';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../support/pagerduty-server.js';
import { OPS, requestMessage, startBotHarness, type BotHarness } from './bot-harness.js';

const KEY = 'R0123456789ABCDEF0123456789ABCDE';

describe('PagerDuty from the bot', () => {
  let h: BotHarness | undefined;
  let pd: PagerDutyStandIn | undefined;
  afterEach(async () => {
    await h?.close();
    await pd?.stop();
    h = undefined;
    pd = undefined;
  });

  const start = async (retryDelaysMs: number[]): Promise<BotHarness> => {
    pd = await startPagerDutyStandIn();
    h = await startBotHarness({
      env: { PAGERDUTY_ROUTING_KEY: KEY, PAGERDUTY_EVENTS_URL: pd.eventsUrl },
      launch: { alerting: { pagerDutyRetryDelaysMs: retryDelaysMs } },
    });
    const outcome = await h.bot.backups.backup('daily', 'system');
    if (!outcome.ok) throw new Error('setup backup failed');
    return h;
  };
  const alertMessage = (bot: BotHarness): StoredMessage | undefined =>
    bot.fake.messages(OPS).find((m) => (m.blocks ?? []).some((b) => b.block_id === 'alert:1'));

  it('trigger, acknowledge and resolve carry one dedup_key, the cluster as source, and no secret', async () => {
    const bot = await start([20, 40]);
    const standIn = pd as PagerDutyStandIn;
    bot.vault.state.sealed = true;
    bot.clock.advance(60_000);
    await bot.bot.health.tick();
    const alert = alertMessage(bot) as StoredMessage;
    await bot.slack.clickButton({ userId: 'U0ALICE', message: alert, actionId: 'alert_ack' });
    bot.vault.state.sealed = false;
    for (let i = 0; i < 2; i += 1) {
      bot.clock.advance(60_000);
      await bot.bot.health.tick();
    }
    await standIn.waitFor(3);
    const events = standIn.accepted();
    expect(events.map((e) => e.body.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    const host = new URL(bot.vault.url).host;
    expect(new Set(events.map((e) => e.body.dedup_key))).toEqual(new Set([`vault-chatops/${host}/vault_sealed`]));
    expect(events[0]?.body.payload).toMatchObject({ severity: 'critical', source: host, summary: expect.stringContaining('Vault is sealed'), custom_details: { alert_key: 'vault_sealed' } });
    const wire = JSON.stringify(standIn.received);
    expect(wire).not.toContain(bot.vault.rootToken);
    expect(wire).not.toContain(bot.config.auditKey ?? 'no-audit-key');
  });

  it('a PagerDuty outage delays no Slack message, and the trigger is retried', async () => {
    // Retries 1.5 s apart: a Slack post that waited for PagerDuty would take at least that long.
    const bot = await start([1500]);
    const standIn = pd as PagerDutyStandIn;
    standIn.failNext(503, Infinity);
    bot.vault.state.sealed = true;
    bot.clock.advance(60_000);
    await bot.bot.health.tick();
    expect(alertMessage(bot)).toBeDefined();
    await standIn.waitFor(2, 4000);
    expect(standIn.received.slice(0, 2).map((e) => e.status)).toEqual([503, 503]);
    // The page reached Slack before PagerDuty's retry was even due: nothing waited for PagerDuty.
    const posted = bot.fake.callsTo('chat.postMessage').find((c) => String(c.args.text ?? '').includes('Vault is sealed'));
    expect(posted?.time).toBeLessThan(standIn.received[1]?.at ?? 0);
    expect((standIn.received[1]?.at ?? 0) - (standIn.received[0]?.at ?? 0)).toBeGreaterThanOrEqual(1400);
  });

  it('a completed restore is sent as a change event, naming the backup, the requester and the approvers', async () => {
    const bot = await start([20]);
    const standIn = pd as PagerDutyStandIn;
    await bot.slack.command({ userId: 'U0ALICE', text: 'restore latest' });
    const parent = requestMessage(bot);
    await bot.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    await bot.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
    expect(bot.vault.restores).toHaveLength(1);
    await standIn.waitFor(1);
    const change = standIn.received.find((e) => e.path === '/v2/change/enqueue');
    expect(change?.status).toBe(202);
    expect(change?.body.payload).toMatchObject({
      summary: expect.stringMatching(/^Restored daily\/2025-11-26\/vault-snapshot-\d{8}-\d{6}\.enc into production \(requested by U0ALICE, approved by U0BOB and U0CAROL\)$/),
      source: new URL(bot.vault.url).host,
      custom_details: { kind: 'restore', target: 'prod' },
    });
  });
});
