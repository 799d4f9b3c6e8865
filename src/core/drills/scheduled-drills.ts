/**
 * @module drills/scheduled-drills
 * The scheduled drills (DESIGN §13), on the same code as `/vault drill`: the weekly restore test
 * (`RESTORE_TEST_CRON`, recorded as a restore test so `/vault status` and the health check see
 * it, and announced with `restoreTestFinished` as before, so a failure raises `restore_test_failed`
 * and a pass clears it) and `DRILL_CRON` (restore-test, then backup-integrity, each report posted
 * as a line). Every run is kept in the drill history; without staging, each is skipped with one
 * line saying what to configure.
 */
import type { Notifier } from '../notifier.js';
import type { ScheduledJob } from '../scheduler.js';
import { drillReportLines } from './format.js';
import type { DrillRunner } from './run-drill.js';
import type { DrillReport, DrillScenario } from './types.js';

export interface ScheduledDrillOptions {
  drills: DrillRunner;
  notifier: Pick<Notifier, 'info' | 'restoreTestFinished'>;
  restoreTestCron: string;
  drillCron: string;
  /** After each drill that ran (e.g. a PagerDuty change event). */
  onReport?: (report: DrillReport) => void;
}

export function scheduledDrillJobs(o: ScheduledDrillOptions): ScheduledJob[] {
  const run = async (scenario: DrillScenario, weekly: boolean): Promise<DrillReport | undefined> => {
    const refused = o.drills.refusal(scenario);
    if (refused) {
      await o.notifier.info(`Skipped the scheduled ${weekly ? 'weekly restore test' : `${scenario} drill`}: ${refused}`);
      return undefined;
    }
    const report = await o.drills.run(
      { scenario, trigger: 'schedule', actor: 'system', ...(weekly ? { onRestoreFinished: (r, error) => o.notifier.restoreTestFinished(r, error) } : {}) },
      weekly ? 'restore-test' : 'drill',
    );
    o.onReport?.(report);
    if (!weekly) await o.notifier.info(drillReportLines(report).join('\n'));
    return report;
  };
  return [
    { name: 'restore-test', cron: o.restoreTestCron, run: () => run('restore-test', true) },
    {
      name: 'drills',
      cron: o.drillCron,
      run: async () => [await run('restore-test', false), await run('backup-integrity', false)],
    },
  ];
}
