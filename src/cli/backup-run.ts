/** @module cli/backup-run `vault-chatops backup run [--kind daily|monthly|manual]`: one backup now, verified. */
import type { BackupKind } from '../core/notifier.js';
import { withEngine } from './engine.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

const KINDS: readonly BackupKind[] = ['daily', 'monthly', 'manual'];

export function parseKind(value: string | true | undefined, fallback?: BackupKind): BackupKind | undefined {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (KINDS as readonly string[]).includes(value)) return value as BackupKind;
  throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, not "${String(value)}"`);
}

export const backupRunCommand: Command = {
  name: 'backup run',
  usage: 'backup run [--kind daily|monthly|manual]',
  summary: 'take a backup now: snapshot, encrypt, upload, verify (daily and monthly also apply retention)',
  details: ['The audit log records the operating-system user and host as the actor (cli:user@host).'],
  flags: { kind: { value: '<daily|monthly|manual>', help: 'the kind to write (default manual); daily and monthly also prune' } },
  run: (args, ctx) => {
    const kind = parseKind(args.flags.kind, 'manual') ?? 'manual';
    return withEngine(ctx, async (engine) => ((await engine.backup(kind, ctx.actor())).ok ? 0 : 1));
  },
};
