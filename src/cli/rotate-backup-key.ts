/**
 * @module cli/rotate-backup-key
 * `vault-chatops rotate backup-key [--dry-run] [--yes]`: the Slack command's twin for operators
 * without Slack. Shows what would move (how many backups under which old keys, to which key),
 * asks on a terminal or needs `--yes`, then re-encrypts with the same verified, resumable steps,
 * each object audited as the OS user. Works while Vault is down: it touches only the store.
 */
import { describeBackupKeyRotation } from '../core/actions/rotate-backup-key.js';
import { asTheBackupKeyRotation } from '../core/rotation/backup-key-claim.js';
import { planBackupKeyRotation, rotateBackupKey } from '../core/rotation/rotate-backup-key.js';
import { askYes } from './confirm.js';
import { withEngine } from './engine.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

export const rotateBackupKeyCommand: Command = {
  name: 'rotate backup-key',
  usage: 'rotate backup-key [--dry-run] [--yes]',
  summary: 're-encrypt every backup still under an older BACKUP_KEYS key with the active key (BACKUP_ACTIVE_KEY)',
  details: [
    'Each backup is decrypted, encrypted with the active key into rotating/<key>, verified (sha256 and a full decrypt',
    'with the active key alone), and only then replaces the original; the catalogue row is updated last.',
    'An interrupted run is safe: run it again and it continues where it stopped. Remove old keys only afterwards.',
  ],
  flags: {
    'dry-run': { help: 'show what would be re-encrypted, change nothing' },
    yes: { help: 'do not ask for confirmation (required without a terminal)' },
  },
  run: (args, ctx) => {
    const dryRun = args.flags['dry-run'] === true;
    const confirmed = args.flags.yes === true;
    if (!dryRun && !confirmed && ctx.io.interactive !== true) {
      throw new UsageError('rotate backup-key rewrites every backup under an old key and there is no terminal to confirm on; add --yes to run it unattended');
    }
    return withEngine(
      ctx,
      async (engine) => {
        const deps = { store: engine.store, keyring: engine.keyring, catalogue: engine.catalogue, audit: ctx.audit(), clock: () => new Date() };
        const params = await planBackupKeyRotation(deps);
        for (const fact of describeBackupKeyRotation(params)) ctx.out(`${fact.label}: ${fact.value}`);
        if (dryRun) return 0;
        if (!confirmed && !(await askYes(ctx, `Re-encrypt ${params.objects} backups under key "${params.activeKeyId}" now?`))) {
          ctx.err('rotation cancelled; nothing was changed');
          return 1;
        }
        const report = await asTheBackupKeyRotation({ db: ctx.db(), engine, clock: () => new Date(), actor: ctx.actor(), via: 'the CLI' }, () =>
          rotateBackupKey(deps, params, {
            actor: ctx.actor(),
            onProgress: (p) => ctx.out(`re-encrypted ${p.done} of ${p.total}`),
          }));
        ctx.out(`re-encrypted ${report.reencrypted} backups under key "${report.activeKeyId}"${report.caughtUp ? `; ${report.caughtUp} catalogue rows caught up from an earlier run` : ''}`);
        ctx.out(
          report.remainingKeyIds.length === 0 && report.legacy.length === 0
            ? 'no backup needs the old keys any more: remove them from BACKUP_KEYS'
            : `still needed by: ${[...report.remainingKeyIds, ...(report.legacy.length ? [`${report.legacy.length} legacy-format backup${report.legacy.length === 1 ? '' : 's'} no key in BACKUP_KEYS decrypts, left as they are (${report.legacy.join(', ')})`] : [])].join(', ')}`,
        );
        return 0;
      },
      { vault: 'offline' },
    );
  },
};
