/**
 * A date names every backup of that day (issue 11): it resolves to the daily one, and the plan —
 * which the Slack request and the CLI show — names the manual backup taken after a bad change
 * too, so the requester can ask for that one by key instead.
 */
import { afterEach, expect, it } from 'vitest';
import { describePlan } from '../../../src/core/restore/restore-plan.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const fixtures: BackupFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

it('a day with a daily and a manual backup resolves to the daily one and names the manual one', async () => {
  const f = await backupFixture();
  fixtures.push(f);
  const daily = await f.engine.backup('daily', 'system');
  const manual = await f.engine.backup('manual', 'U0ALICE');
  if (!daily.ok || !manual.ok) throw new Error('backups failed');
  const day = daily.report.key.split('/')[1] ?? '';

  const plan = await f.engine.planRestore(day, 'prod');
  expect(plan.key).toBe(daily.report.key);
  expect(plan.alsoThatDay).toEqual([manual.report.key]);
  expect(describePlan(plan)).toContainEqual({
    label: 'Also that day',
    value: `${manual.report.key} (request again with its key instead of the date to restore it)`,
  });

  // An exact key or `latest` names nothing else: the person already chose.
  expect((await f.engine.planRestore(manual.report.key, 'prod')).alsoThatDay).toBeUndefined();
  expect((await f.engine.planRestore('latest', 'prod')).alsoThatDay).toBeUndefined();
});
