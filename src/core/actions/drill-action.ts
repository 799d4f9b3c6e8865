/**
 * @module actions/drill-action
 * The `drill` action for the approval engine (DESIGN §6, §13): staging only, one approval by
 * default (policy floor 0). The request freezes the scenario and the staging address; the run
 * is the same code as the scheduled drills, and the thread gets the report: steps with their
 * durations, the target met or missed, and what failed where.
 */
import type { ActionDefinition, ExecutionResult, ParamFact } from '../approvals/types.js';
import { CoreError, ErrorCode } from '../errors.js';
import { formatMs, targetText, type DrillReport, type DrillRunner, type DrillScenario } from '../drills/index.js';

export interface DrillParams {
  scenario: DrillScenario;
  /** The staging Vault the drill runs against, frozen. */
  stagingAddress: string;
  /** backup-integrity: the newest N backups only. */
  newest?: number;
}

export const DRILL_TTL_MS = 30 * 60_000;
/** Step lines shown in the thread; the drill history keeps every one. */
const MAX_STEPS = 25;

/** Called after a drill ran (e.g. a PagerDuty change event). */
export type DrillHook = (report: DrillReport) => Promise<void> | void;

/**
 * @example approvals.register(drillAction(runner, (id) => (line) => messenger.reply(id, plainMessage(line))));
 */
export function drillAction(
  runner: DrillRunner,
  progressFor?: (requestId: string) => (line: string) => Promise<void>,
  onFinished?: DrillHook,
): ActionDefinition<DrillParams> {
  return {
    name: 'drill',
    ttlMs: DRILL_TTL_MS,
    describe: (p) => {
      const target = runner.targetMs(p.scenario);
      return [
        { label: 'Drill', value: p.scenario + (p.newest ? ` (newest ${p.newest} backups)` : '') },
        { label: 'Against', value: `staging (${p.stagingAddress}) only` },
        { label: 'Target', value: target === null ? 'every backup proves intact' : formatMs(target) },
      ];
    },
    async execute(p, ctx) {
      const refused = runner.refusal(p.scenario);
      if (refused) throw new CoreError(ErrorCode.RestoreRefused, refused);
      // Approvers saw and approved this staging address; never run against another one.
      if (runner.stagingAddress !== p.stagingAddress) {
        throw new CoreError(
          ErrorCode.RestoreRefused,
          `This drill was approved against staging ${p.stagingAddress}, but the staging Vault is now ${runner.stagingAddress ?? 'not configured'}; nothing was run. Request it again.`,
        );
      }
      const report = await runner.run({
        scenario: p.scenario, trigger: 'slack', actor: ctx.requester, requestId: ctx.requestId,
        ...(p.newest ? { newest: p.newest } : {}),
        ...(progressFor ? { onProgress: progressFor(ctx.requestId) } : {}),
      });
      await Promise.resolve(onFinished?.(report)).catch((error: unknown) => ctx.logger?.warn({ err: error }, 'drill hook failed'));
      if (report.status === 'failed') throw new CoreError(ErrorCode.VerifyFailed, drillFailureText(report));
      return drillResult(report);
    },
  };
}

export function drillResult(r: DrillReport): ExecutionResult {
  const facts: ParamFact[] = [
    { label: 'Measured', value: `${r.durationMs === null ? 'nothing' : formatMs(r.durationMs)} (${targetText(r)})` },
    { label: 'Steps', value: stepLines(r) },
    { label: 'Drill', value: `#${r.id} on ${r.target}` },
  ];
  return { summary: r.summary, facts };
}

/** A failed drill's report as one message: the engine shows a failure's message, not its facts. */
function drillFailureText(r: DrillReport): string {
  const failures = r.failures.slice(0, 10).map((f) => `• ${f}`);
  if (r.failures.length > 10) failures.push(`…and ${r.failures.length - 10} more (/vault drills, or the drill history)`);
  return [r.summary, ...failures, `Steps: ${stepLines(r).split('\n').join('; ')}`].join('\n');
}

function stepLines(r: DrillReport): string {
  const lines = r.steps.slice(0, MAX_STEPS).map((s) => `${s.ok ? '✓' : '✗'} ${s.name} — ${formatMs(s.ms)}`);
  if (r.steps.length > MAX_STEPS) lines.push(`…and ${r.steps.length - MAX_STEPS} more steps`);
  return lines.join('\n') || 'none';
}
