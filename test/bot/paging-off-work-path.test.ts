/**
 * Issue 7 item 3: paging never holds up work. With Slack's Web API failing (HTTP 500, then 429),
 * a failed backup's page does not delay the next backup or a restore's safety snapshot; ops-channel
 * notifications are retried in the background within bounds, recorded as undelivered (SQLite,
 * /metrics), and reported in the ops channel once Slack answers again. The bot runs with the Web API client's
 * production retry settings here, not the tests' usual `retries: 0`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPS, ephemeralTexts, readable, startBotHarness, type BotHarness } from './bot-harness.js';

describe('paging off the work path', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness({
      launch: { clientOptions: {}, notificationRetry: { maxAttempts: 3, firstDelayMs: 20, maxDelayMs: 50, maxTotalMs: 5000 } },
    });
  });
  afterEach(async () => {
    await h?.close();
  });

  async function settled(): Promise<void> {
    await h.bot.notificationsIdle();
    expect(h.bot.notifications.pending).toBe(0);
  }

  async function metric(name: string): Promise<string | undefined> {
    const text = await (await fetch(`http://127.0.0.1:${h.bot.port}/metrics`)).text();
    return text.split('\n').find((l) => l.startsWith(`${name} `));
  }

  it('a Slack outage delays neither the next backup nor a restore’s safety snapshot, and the lost page is recorded and shown', async () => {
    h.fake.failNext('chat.postMessage', { error: 'internal_error', status: 500, times: 1000 });
    h.vault.faults = { failPaths: { 'sys/storage/raft/snapshot': { status: 500, message: 'raft: snapshot failed' } } };

    let t = performance.now();
    const failed = await h.bot.backups.backup('daily', 'system');
    expect(failed.ok).toBe(false);
    // Normally ~0.2 s; the old client held a failed page ~30 min, the alert path's retries ~7–14 s.
    expect(performance.now() - t, 'the failed backup waited for Slack').toBeLessThan(6000);

    h.vault.faults = {};
    t = performance.now();
    const next = await h.bot.backups.backup('manual', 'U0ALICE');
    expect(next.ok).toBe(true);
    expect(performance.now() - t, 'the next backup waited for Slack').toBeLessThan(6000);

    // A restore takes a verified safety snapshot first: not held up by the pages either.
    if (!next.ok) throw new Error('backup failed');
    const plan = await h.bot.backups.planRestore(next.report.key, 'prod');
    t = performance.now();
    const restored = await h.bot.backups.restore(plan, { actor: 'U0ALICE', purpose: 'restore', dryRun: false });
    expect(restored.ok).toBe(true);
    expect(performance.now() - t, 'the restore and its safety snapshot waited for Slack').toBeLessThan(6000);
    expect(h.bot.backups.catalogue.list({ limit: 10 }).some((e) => e.key.startsWith('pre-restore/'))).toBe(true);

    await settled();
    expect(h.fake.messages(OPS)).toHaveLength(0);
    // The failed backup pages through the alert path; the ✅ for the manual backup is the ops-channel
    // notification that could not be delivered.
    expect(h.bot.notifications.undeliveredCount).toBeGreaterThanOrEqual(1);
    const rows = h.db.prepare(`SELECT method, summary FROM undelivered_notifications ORDER BY id`).all() as Array<{ method: string; summary: string }>;
    expect(rows).toContainEqual({ method: 'backupSucceeded', summary: expect.stringContaining(`kind manual, key ${next.report.key}`) });
    expect(await metric('vault_chatops_notifications_undelivered')).toBe(`vault_chatops_notifications_undelivered ${rows.length}`);
    // /vault status answers through response_url, which works while chat.postMessage does not.
    await h.slack.command({ userId: 'U0ALICE', text: 'status' });
    const status = ephemeralTexts(h, 'U0ALICE').at(-1) ?? '';
    expect(status).toContain(`Undelivered notifications\n:warning: ${rows.length} could not be posted (Slack unreachable)`);
    expect(status).toContain(`backupSucceeded (kind manual, key ${next.report.key}`);

    // Slack is back (after one rate limit): the next notification goes out, then one line lists what was lost.
    h.fake.clearFaults();
    h.fake.failNext('chat.postMessage', { error: 'ratelimited', retryAfter: 1 });
    await h.bot.backups.backup('manual', 'U0BOB');
    await settled();
    const summary = await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('could not be delivered while Slack was unreachable'), 15_000);
    expect(readable(h, { text: String(summary.args.text) })).toMatch(new RegExp(`${rows.length} notifications? could not be delivered while Slack was unreachable:`));
    expect(readable(h, { text: String(summary.args.text) })).toContain(`backupSucceeded (kind manual, key ${next.report.key}`);
    for (let i = 0; i < 50 && h.bot.notifications.undeliveredCount > 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(await metric('vault_chatops_notifications_undelivered')).toBe('vault_chatops_notifications_undelivered 0');
  });
});
