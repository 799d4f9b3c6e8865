/**
 * @module cli/restore
 * `vault-chatops restore <date|latest|key> --target prod|staging [--force] [--dry-run] [--yes]`: the
 * break-glass path when the bot is down. The target is always named explicitly; on a terminal the
 * plan is shown and confirmed, without one `--yes` is required; the audit log names the person
 * (`cli:alice@bastion-1`), never just "cli".
 */
import { describePlan, type RestorePlan } from '../core/restore/restore-plan.js';
import { formatDuration } from '../format/human.js';
import { parseBackupSpec, parseTarget } from './args.js';
import { askYes } from './confirm.js';
import { withEngine } from './engine.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

const USAGE = 'restore <YYYY-MM-DD|latest|key> --target prod|staging [--force] [--dry-run] [--yes]';

const targetName = (plan: RestorePlan): string => (plan.target === 'prod' ? 'production' : 'staging');

/** What the person confirms: every fact of the plan, the full sha256, and the safety snapshot. */
export function confirmationLines(plan: RestorePlan, store: string): string[] {
  return [
    `This replaces ALL data in the ${targetName(plan)} Vault${plan.address ? ` at ${plan.address}` : ''} with the backup:`,
    `  object:          ${plan.key}`,
    `  sha256:          ${plan.sha256 ?? 'not recorded (a foreign or legacy object)'}`,
    `  target:          ${targetName(plan)}${plan.address ? ` (${plan.address})` : ''}${plan.force ? ', forced (snapshot from another cluster)' : ''}`,
    `  safety snapshot: a backup of the target is taken first, into ${store} under pre-restore/; restore it to go back`,
  ];
}

export const restoreCommand: Command = {
  name: 'restore',
  usage: USAGE,
  summary: 'restore a backup into Vault after a safety snapshot of the target (--dry-run: download, decrypt and validate only)',
  details: [
    'On a terminal the plan (object, sha256, target, safety snapshot) is shown and you type "yes".',
    'Without a terminal (a script, a pipe) add --yes; nothing is asked and nothing waits.',
    'The audit log records you as cli:<user>@<host>. Targets: prod (or production), staging.',
  ],
  flags: {
    target: { value: '<prod|staging>', help: 'which Vault to overwrite: prod (or production) or staging' },
    force: { help: 'the snapshot comes from another cluster (Vault\'s snapshot-force)' },
    'dry-run': { help: 'download, check sha256, decrypt and validate; do not touch Vault' },
    yes: { help: 'do not ask for confirmation (required without a terminal)' },
  },
  args: { min: 1, max: 1 },
  run: (args, ctx) => {
    const target = parseTarget(args.flags.target, USAGE);
    const spec = parseBackupSpec(args.positionals[0], USAGE);
    const dryRun = args.flags['dry-run'] === true;
    const confirmed = args.flags.yes === true;
    if (!dryRun && !confirmed && ctx.io.interactive !== true) {
      throw new UsageError(`restore overwrites the ${target === 'prod' ? 'production' : 'staging'} Vault and there is no terminal to confirm on; add --yes to run it unattended`);
    }
    return withEngine(ctx, async (engine) => {
      const actor = ctx.actor();
      const plan = await engine.planRestore(spec, target, args.flags.force === true);
      for (const fact of describePlan(plan)) ctx.out(`${fact.label}: ${fact.value}`);
      // As the Slack handler does: refused now, not after a full safety snapshot of the target.
      if (!dryRun && plan.foreignCluster === true && !plan.force) {
        ctx.err(`${plan.key} was taken from another cluster (${plan.sourceCluster ?? 'a staging snapshot'}) than the ${targetName(plan)} Vault; restoring it replaces the target's data, tokens and unseal keys with that cluster's. Nothing was changed; if that is really what you want, add --force`);
        return 2;
      }
      if (!dryRun && !confirmed) {
        for (const line of confirmationLines(plan, engine.store.location)) ctx.io.stderr.write(`${line}\n`);
        if (!(await askYes(ctx, `Restore into ${targetName(plan)} now?`))) {
          ctx.audit().append({ actor, event: 'restore.cancelled', target: plan.key, details: { target: plan.target, reason: 'not confirmed at the terminal' } });
          ctx.err('restore cancelled; nothing was changed');
          return 1;
        }
      }
      const outcome = await engine.restore(plan, { actor, purpose: 'restore', dryRun });
      const r = outcome.report;
      if (!outcome.ok) {
        ctx.err(`restore failed at ${outcome.step}: ${outcome.error.userMessage}`);
        return 1;
      }
      if (r.safetySnapshotKey) ctx.out(`safety snapshot: ${r.safetySnapshotKey}`);
      ctx.out(`${r.dryRun ? 'dry run finished' : 'restored'} in ${formatDuration(r.recoveryMs)}; canary ${r.canary}${r.canaryDetail ? ` (${r.canaryDetail})` : ''}`);
      if (r.note) ctx.out(r.note);
      return 0;
    });
  },
};
