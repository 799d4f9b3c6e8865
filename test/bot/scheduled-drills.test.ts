/**
 * The weekly restore test and DRILL_CRON run the drill code: a scheduled run is kept in the drill
 * history (trigger `schedule`), the weekly one is recorded as the restore test `/vault status`
 * reads, each report is posted, and without staging each is skipped with what to configure.
 * backup-integrity reports progress on long runs. Driven through the running bot's own engine.
 */
import { describe, expect, it } from 'vitest';
import { DrillRunner, DrillStore, scheduledDrillJobs } from '../../src/core/drills/index.js';
import { RecordingNotifier } from '../support/recording-notifier.js';
import { backupNow, useStagingHarness } from './staging-harness.js';

describe('scheduled drills', () => {
  const harness = useStagingHarness();

  it('the weekly restore test and DRILL_CRON run the drills, keep them, and post their reports', async () => {
    const { h, staging } = await harness.start();
    await backupNow(h);
    const notifier = new RecordingNotifier();
    const jobs = scheduledDrillJobs({ drills: h.bot.deps.drills, notifier, restoreTestCron: '0 3 * * 1', drillCron: '0 4 1 1,4,7,10 *' });
    expect(jobs.map((j) => [j.name, j.cron])).toEqual([['restore-test', '0 3 * * 1'], ['drills', '0 4 1 1,4,7,10 *']]);

    await jobs[0]?.run();
    expect(staging.restores).toHaveLength(1);
    expect(h.bot.backups.catalogue.lastRestore('restore-test')?.status).toBe('succeeded');
    // The weekly test is announced as a restore test, as before (a failure raises restore_test_failed, a pass clears it).
    expect(notifier.restoreTests).toHaveLength(1);
    expect(notifier.restoreTests[0]).toMatchObject({ report: { target: 'staging', canary: 'skipped', dryRun: false } });
    expect(notifier.restoreTests[0]?.error).toBeUndefined();
    expect(notifier.infos).toEqual([]);

    await jobs[1]?.run();
    expect(staging.restores).toHaveLength(2);
    const rows = h.db.prepare(`SELECT scenario, trigger, actor, status FROM drills ORDER BY id`).all();
    expect(rows).toEqual([
      { scenario: 'restore-test', trigger: 'schedule', actor: 'system', status: 'passed' },
      { scenario: 'restore-test', trigger: 'schedule', actor: 'system', status: 'passed' },
      { scenario: 'backup-integrity', trigger: 'schedule', actor: 'system', status: 'passed' },
    ]);
    expect(notifier.infos[0]).toMatch(/^Drill restore-test passed in .* \(target 2 h 00 min: met\)\./);
    expect(notifier.infos[1]).toMatch(/^Drill backup-integrity passed/);
    expect(notifier.restoreTests).toHaveLength(1);
  });

  it('a failed weekly restore test is announced with the step that failed', async () => {
    const { h, staging } = await harness.start();
    await backupNow(h);
    staging.faults = { failPaths: { 'sys/storage/raft/snapshot-force': { status: 500, message: 'raft is busy' } } };
    const notifier = new RecordingNotifier();
    const [weekly] = scheduledDrillJobs({ drills: h.bot.deps.drills, notifier, restoreTestCron: '0 3 * * 1', drillCron: '0 4 1 * *' });
    await weekly?.run();
    expect(notifier.restoreTests).toHaveLength(1);
    expect(notifier.restoreTests[0]?.error?.step).toBe('restore');
    expect(h.db.prepare(`SELECT status FROM drills`).get()).toEqual({ status: 'failed' });
  });

  it('skips each scheduled drill without staging, saying what to configure', async () => {
    const h = await harness.startWithout();
    const notifier = new RecordingNotifier();
    for (const job of scheduledDrillJobs({ drills: h.bot.deps.drills, notifier, restoreTestCron: '0 3 * * 1', drillCron: '0 4 1 * *' })) await job.run();
    expect(notifier.infos).toEqual([
      'Skipped the scheduled weekly restore test: Drills run against a staging Vault only, and none is configured; set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN, then ask again.',
      'Skipped the scheduled restore-test drill: Drills run against a staging Vault only, and none is configured; set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN, then ask again.',
      'Skipped the scheduled backup-integrity drill: Drills run against a staging Vault only, and none is configured; set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN, then ask again.',
    ]);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM drills').get()).toEqual({ n: 0 });
  });

  it('backup-integrity reports progress while it checks many backups', async () => {
    const { h } = await harness.start();
    for (let i = 0; i < 3; i += 1) {
      expect((await h.bot.backups.backup('manual', 'U0ALICE')).ok).toBe(true);
      h.clock.advance(60_000);
    }
    const runner = new DrillRunner({
      engine: h.bot.backups, store: new DrillStore(h.db), audit: h.bot.deps.audit, logger: h.bot.deps.logger,
      targets: h.config.drills, progressEvery: 1, progressIntervalMs: 3_600_000,
    });
    const lines: string[] = [];
    const report = await runner.run({ scenario: 'backup-integrity', trigger: 'cli', actor: 'cli:test', onProgress: (line) => void lines.push(line) });
    expect(report.status).toBe('passed');
    expect(report.steps.filter((s) => s.name.startsWith('manual/'))).toHaveLength(3);
    expect(lines).toEqual(['Checked 1 of 3 backups; 0 failed so far.', 'Checked 2 of 3 backups; 0 failed so far.']);
  });

  it('a drill slower than its target passes but says the target was missed', async () => {
    const { h } = await harness.start();
    await backupNow(h);
    // A target of 6 ms: no restore into staging is that fast.
    const runner = new DrillRunner({
      engine: h.bot.backups, store: new DrillStore(h.db), audit: h.bot.deps.audit, logger: h.bot.deps.logger,
      targets: { ...h.config.drills, rtoRestoreMinutes: 0.0001 },
    });
    const report = await runner.run({ scenario: 'restore-test', trigger: 'cli', actor: 'cli:test' });
    expect(report).toMatchObject({ status: 'passed', met: false, targetMs: 6 });
    expect(report.summary).toMatch(/^Drill restore-test passed in .* \(target 6 ms: missed\)\.$/);
    expect(h.db.prepare('SELECT met FROM drills WHERE id = ?').get(report.id)).toEqual({ met: 0 });
  });
});
