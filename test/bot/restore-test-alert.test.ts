/**
 * The running bot's weekly restore test (the scheduled `restore-test` job, now on the drill code)
 * goes through the alert lifecycle (issue 8 review): a test that cannot even resolve the latest
 * backup raises `restore_test_failed` in Slack and is recorded as a failed restore test, so the
 * health check and `vault_chatops_restore_test_success` stop reading the last pass; the next
 * passing test clears it.
 */
import { describe, expect, it } from 'vitest';
import { backupNow, useStagingHarness } from './staging-harness.js';

const OPS = 'C0VAULTOPS';

describe('weekly restore test through the alerts', () => {
  const harness = useStagingHarness();

  it('failing at "resolve the latest backup" fires restore_test_failed and fails the check; the next pass clears it', async () => {
    const { h } = await harness.start();
    const weekly = h.bot.jobs.find((j) => j.name === 'restore-test');
    expect(weekly).toBeDefined();
    await weekly?.run();
    await h.bot.notificationsIdle();
    await h.bot.alerts.idle();
    expect(h.bot.alerts.firing().map((a) => a.key)).toEqual(['restore_test_failed']);
    expect(h.bot.backups.catalogue.lastRestore('restore-test')?.status).toBe('failed');
    const posted = () => h.fake.messages(OPS).map((m) => String(m.text));
    expect(posted().some((t) => t.includes('Restore test failed'))).toBe(true);
    const round = await h.bot.health.tick();
    expect(round.results.find((r) => r.name === 'restore_test')?.state).toBe('fail');

    await backupNow(h);
    await weekly?.run();
    await h.bot.notificationsIdle();
    await h.bot.alerts.idle();
    expect(h.bot.alerts.firing()).toEqual([]);
    expect(h.bot.backups.catalogue.lastRestore('restore-test')?.status).toBe('succeeded');
  });
});
