/**
 * @module cli/drill
 * `vault-chatops drill <restore-test|backup-integrity> [--newest N] [--json]`: the same drills as
 * `/vault drill` and `DRILL_CRON`, against staging only, for when Slack is down. The report (steps
 * with durations, the target met or missed, each failure) goes to stdout; exit 1 when it failed.
 */
import { DrillRunner, DrillStore, drillReportLines, type DrillScenario } from '../core/drills/index.js';
import { CoreError, ErrorCode } from '../core/errors.js';
import { withEngine } from './engine.js';
import { JSON_FLAG, printJson, wantsJson } from './json-output.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

const USAGE = 'drill <restore-test|backup-integrity> [--newest N] [--json]';
const CLI_SCENARIOS: readonly DrillScenario[] = ['restore-test', 'backup-integrity'];

export const drillCommand: Command = {
  name: 'drill',
  usage: USAGE,
  summary: 'run a drill against the staging Vault (restore-test: latest backup into staging; backup-integrity: authenticate every backup)',
  details: [
    'Staging only: without VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN it refuses. Timed against RTO_RESTORE_MINUTES (restore-test).',
    'Recorded in the drill history (/vault drills, the compliance report) and the audit log. Exit 1 when the drill failed.',
    'The seal and rotation drills run from Slack only.',
  ],
  flags: { newest: { value: '<N>', help: 'backup-integrity: only the newest N catalogued backups' }, ...JSON_FLAG },
  args: { min: 1, max: 1 },
  run: (args, ctx) => {
    const scenario = CLI_SCENARIOS.find((s) => s === args.positionals[0]);
    if (!scenario) throw new UsageError(`"${args.positionals[0] ?? ''}" is not a drill the CLI runs; use restore-test or backup-integrity: ${USAGE}`);
    const newestFlag = args.flags.newest;
    const newest = typeof newestFlag === 'string' ? Number(newestFlag) : undefined;
    if (newestFlag !== undefined && (scenario !== 'backup-integrity' || !Number.isInteger(newest) || (newest ?? 0) < 1)) {
      throw new UsageError(`--newest takes a whole number of backups (1 or more) and only applies to backup-integrity: ${USAGE}`);
    }
    const config = ctx.config(['vault', 'backup']);
    return withEngine(ctx, async (engine) => {
      const store = new DrillStore(ctx.db());
      const runner = new DrillRunner({ engine, store, audit: ctx.audit(), logger: ctx.logger(), targets: config.drills, progressIntervalMs: 10_000 });
      const refused = runner.refusal(scenario);
      if (refused) throw new CoreError(ErrorCode.RestoreRefused, refused);
      const report = await runner.run({
        scenario, trigger: 'cli', actor: ctx.actor(), ...(newest ? { newest } : {}),
        onProgress: (line) => void ctx.io.stderr.write(`${line}\n`),
      });
      const code = report.status === 'passed' ? 0 : 1;
      if (wantsJson(args)) return printJson(ctx, report, code);
      for (const line of drillReportLines(report)) ctx.out(line);
      return code;
    });
  },
};
