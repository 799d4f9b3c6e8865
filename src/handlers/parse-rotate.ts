/**
 * @module handlers/parse-rotate
 * `/vault rotate secret <kv-path> | backup-key | unseal-keys` and `/vault unseal-status`, parsed
 * into typed commands or a usage error naming what was wrong. Pure, like `parse-command.ts`.
 */
import type { UsageError } from './parse-command.js';

export type RotateCommand =
  | { name: 'rotate-secret'; path: string }
  | { name: 'rotate-backup-key' }
  | { name: 'rotate-unseal-keys' }
  | { name: 'unseal-status' };

export const ROTATE_USAGE = {
  rotate: '/vault rotate secret <kv-path> | backup-key | unseal-keys',
  unsealStatus: '/vault unseal-status',
} as const;

export function parseRotate(args: readonly string[]): RotateCommand | UsageError {
  const [what, ...rest] = args;
  switch (what?.toLowerCase()) {
    case 'secret': {
      if (rest.length === 0) return usage('`rotate secret` needs the secret’s path, e.g. `secret/app/smtp`.');
      if (rest.length > 1) return usage(`"${rest.join(' ')}" is more than one path; rotate one secret at a time.`);
      return { name: 'rotate-secret', path: rest[0] as string };
    }
    case 'backup-key':
      return rest.length === 0 ? { name: 'rotate-backup-key' } : usage(`\`rotate backup-key\` takes no arguments (got "${rest.join(' ')}").`);
    case 'unseal-keys':
      return rest.length === 0 ? { name: 'rotate-unseal-keys' } : usage(`\`rotate unseal-keys\` takes no arguments (got "${rest.join(' ')}").`);
    case undefined:
      return usage('`rotate` needs what to rotate: `secret <kv-path>`, `backup-key` or `unseal-keys`.');
    default:
      return usage(`"${what}" is not something the bot rotates; it rotates a secret, the backup key or the unseal keys.`);
  }
}

export function parseUnsealStatus(args: readonly string[]): RotateCommand | UsageError {
  return args.length === 0
    ? { name: 'unseal-status' }
    : { name: 'usage', problem: `\`unseal-status\` takes no arguments (got "${args.join(' ')}").`, usage: ROTATE_USAGE.unsealStatus };
}

function usage(problem: string): UsageError {
  return { name: 'usage', problem, usage: ROTATE_USAGE.rotate };
}
