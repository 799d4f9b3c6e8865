/** @module cli/retention-run `vault-chatops retention run [--dry-run]`: prune by the retention policy. */
import { withEngine } from './engine.js';
import type { Command } from './registry.js';

export const retentionRunCommand: Command = {
  name: 'retention run',
  usage: 'retention run [--dry-run]',
  summary: 'delete backups outside the retention policy (30 daily days, 12 months, 30 days of manual); --dry-run lists them',
  details: ['Reads and prunes the store and the catalogue only: it works while Vault is down.'],
  flags: { 'dry-run': { help: 'list what would be deleted, delete nothing' } },
  run: (args, ctx) =>
    withEngine(ctx, async (engine) => {
      const outcome = await engine.retention(args.flags['dry-run'] === true, ctx.actor());
      const verb = outcome.dryRun ? 'would delete' : 'deleted';
      for (const victim of outcome.plan.delete) {
        if (outcome.dryRun || outcome.deleted.includes(victim.key)) ctx.out(`${verb} ${victim.key} (${victim.reason})`);
      }
      for (const failure of outcome.failed) ctx.err(`could not delete ${failure.key}: ${failure.reason}`);
      if (outcome.plan.protectedKey) ctx.out(`kept ${outcome.plan.protectedKey} (newest verified backup, never deleted)`);
      ctx.out(`${outcome.plan.keep.length} kept, ${outcome.dryRun ? outcome.plan.delete.length : outcome.deleted.length} ${verb}`);
      return outcome.failed.length ? 1 : 0;
    }, { vault: 'offline' }),
};
