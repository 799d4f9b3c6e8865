/**
 * @module cli/recover
 * `vault-chatops recover <kv-path | kv-path/> [--from D] [--yes]`: recovering secrets from a backup
 * when Slack is down (DESIGN §12), the same core as `/vault recover`. On a terminal the plan is
 * shown and confirmed; without one `--yes` is required. Prints each path with its old and new
 * version or why it was skipped — never a value.
 */
import { describeRecovery, executeRecovery, planRecovery } from '../core/recover/index.js';
import { formatDuration } from '../format/human.js';
import { askYes } from './confirm.js';
import { withEngine } from './engine.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

const USAGE = 'recover <kv-path | kv-path/> [--from YYYY-MM-DD|latest|key] [--yes]';

export const recoverCommand: Command = {
  name: 'recover',
  usage: USAGE,
  summary: 'bring one secret, or every secret under a folder, back from a backup into production as new versions (via staging)',
  details: [
    'The backup is restored into the staging Vault first (after a safety snapshot of staging), read there with',
    "production's credentials, and each secret is written to production with check-and-set on the version seen now.",
    'Unchanged secrets are not rewritten; a secret changed meanwhile is skipped. Needs VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN.',
  ],
  flags: {
    from: { value: '<YYYY-MM-DD|latest|key>', help: 'which backup (default latest)' },
    yes: { help: 'do not ask for confirmation (required without a terminal)' },
  },
  args: { min: 1, max: 1 },
  run: (args, ctx) => {
    const path = args.positionals[0] ?? '';
    const from = typeof args.flags.from === 'string' ? args.flags.from : 'latest';
    if (args.flags.from === true) throw new UsageError(`--from needs a date, latest or an object key: ${USAGE}`);
    const confirmed = args.flags.yes === true;
    if (!confirmed && ctx.io.interactive !== true) {
      throw new UsageError('recover writes to the production Vault and there is no terminal to confirm on; add --yes to run it unattended');
    }
    return withEngine(ctx, async (engine) => {
      const actor = ctx.actor();
      const params = await planRecovery({ production: engine.vault, stagingAddress: engine.stagingAddress, planRestore: (spec) => engine.planRestore(spec, 'staging', true) }, path, from);
      for (const fact of describeRecovery(params)) ctx.out(`${fact.label}: ${fact.value}`);
      if (!confirmed && !(await askYes(ctx, 'Recover these secrets into production now?'))) {
        ctx.audit().append({ actor, event: 'recover.cancelled', target: `${params.mount}${params.path}`, details: { key: params.restore.key, reason: 'not confirmed at the terminal' } });
        ctx.err('recover cancelled; nothing was changed');
        return 1;
      }
      const report = await executeRecovery(
        { production: engine.vault, stagingAddress: engine.stagingAddress, audit: ctx.audit(), restore: (plan, opts) => engine.restore(plan, opts), sourceAt: (addr) => engine.productionCredentialsAt(addr) },
        params,
        actor,
      );
      for (const o of report.outcomes) {
        ctx.out(o.status === 'written' ? `${params.mount}${o.path}: version ${o.from} → ${o.to}` : `${params.mount}${o.path}: skipped, ${o.reason}`);
      }
      const written = report.outcomes.filter((o) => o.status === 'written').length;
      ctx.out(`recovered ${written} of ${report.outcomes.length} from ${report.key} in ${formatDuration(report.totalMs)} (staging restore ${formatDuration(report.restoreMs)})`);
      if (report.note) ctx.out(report.note);
      return 0;
    });
  },
};
