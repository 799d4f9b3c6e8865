/** @module cli/backup-verify `vault-chatops backup verify <key|latest|YYYY-MM-DD>`: proves a stored backup would restore. */
import { isCoreError } from '../core/errors.js';
import { formatBytes } from '../format/human.js';
import { parseBackupSpec } from './args.js';
import { withEngine } from './engine.js';
import type { Command } from './registry.js';
import { otherBackupsThatDay, sameDayLine } from './same-day.js';

const USAGE = 'backup verify <key|latest|YYYY-MM-DD>';

export const backupVerifyCommand: Command = {
  name: 'backup verify',
  usage: USAGE,
  summary: 'download a backup, check its sha256, decrypt and authenticate every chunk, validate the snapshot',
  details: [
    'Needs the store and BACKUP_KEYS, never Vault: it works while Vault is down.',
    'Exit 0: the backup would restore. Exit 1: the line on stderr says what is wrong with it.',
    'The check is recorded in the audit log (backup.verify-checked), shown by "backup show".',
  ],
  args: { min: 1, max: 1 },
  run: (args, ctx) => {
    const spec = parseBackupSpec(args.positionals[0], USAGE);
    return withEngine(ctx, async (engine) => {
      const actor = ctx.actor();
      try {
        const result = await engine.verify(spec);
        ctx.audit().append({
          actor, event: 'backup.verify-checked', target: result.plan.key,
          details: { ok: true, format: result.format, plainBytes: result.plainBytes, plainSha256: result.plainSha256 },
        });
        ctx.out(`${result.plan.key}: intact (${result.format}, ${formatBytes(result.plainBytes)} snapshot, plain sha256 ${result.plainSha256.slice(0, 12)}…) in ${engine.store.location}`);
        const sameDay = sameDayLine(spec, await otherBackupsThatDay(engine.store, spec, result.plan.key));
        if (sameDay) ctx.out(sameDay);
        return 0;
      } catch (error) {
        const reason = isCoreError(error) ? error.userMessage : 'unexpected error';
        ctx.audit().append({ actor, event: 'backup.verify-checked', target: spec, details: { ok: false, reason } });
        throw error;
      }
    }, { vault: 'offline' });
  },
};
