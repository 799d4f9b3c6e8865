/**
 * @module cli/restore
 * `vault-chatops restore <date|latest|key> --target prod|staging [--force] [--dry-run]`: the
 * break-glass path when the bot is down. The target is always named explicitly.
 */
import { describePlan } from '../core/restore/restore-plan.js';
import { withEngine } from './engine.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

export const restoreCommand: Command = {
  name: 'restore',
  usage: 'restore <YYYY-MM-DD|latest|key> --target prod|staging [--force] [--dry-run]',
  summary: 'restore a backup into Vault after a safety snapshot of the target (--dry-run: download, decrypt and validate only)',
  flags: { target: { value: '<prod|staging>' }, force: {}, 'dry-run': {} },
  args: { min: 1, max: 1 },
  run: (args, ctx) => {
    const target = args.flags.target;
    if (target !== 'prod' && target !== 'staging') {
      throw new UsageError('restore needs --target prod or --target staging; usage: vault-chatops restore <YYYY-MM-DD|latest|key> --target prod|staging [--force] [--dry-run]');
    }
    return withEngine(ctx, async (engine) => {
      const plan = await engine.planRestore(args.positionals[0] ?? 'latest', target, args.flags.force === true);
      for (const fact of describePlan(plan)) ctx.out(`${fact.label}: ${fact.value}`);
      const outcome = await engine.restore(plan, { actor: 'cli', purpose: 'restore', dryRun: args.flags['dry-run'] === true });
      const r = outcome.report;
      if (!outcome.ok) {
        ctx.err(`restore failed at ${outcome.step}: ${outcome.error.userMessage}`);
        return 1;
      }
      if (r.safetySnapshotKey) ctx.out(`safety snapshot: ${r.safetySnapshotKey}`);
      ctx.out(`${r.dryRun ? 'dry run finished' : 'restored'} in ${(r.recoveryMs / 1000).toFixed(1)} s; canary ${r.canary}${r.canaryDetail ? ` (${r.canaryDetail})` : ''}`);
      if (r.note) ctx.out(r.note);
      return 0;
    });
  },
};
