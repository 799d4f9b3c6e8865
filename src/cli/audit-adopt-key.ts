/**
 * @module cli/audit-adopt-key
 * `vault-chatops audit adopt-key [--previous-key-file <path>]`: start using AUDIT_KEY on a log
 * written without it (or with another key). The change is a row in the chain, so `audit verify`
 * reads it as a recorded key change, not as tampering. Run it once, with the bot stopped or about
 * to be restarted with the same AUDIT_KEY.
 */
import { readFileSync } from 'node:fs';
import { CoreError, ErrorCode } from '../core/errors.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

const USAGE = 'audit adopt-key [--previous-key-file <path>]';

/** An AUDIT_KEY kept in a file: its text without the trailing newline, as the variable would hold it. */
export function readKeyFile(path: string | true | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  if (path === true) throw new UsageError(`--previous-key-file needs a path; usage: vault-chatops ${USAGE}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new CoreError(ErrorCode.ConfigInvalid, `Cannot read the previous key file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
  }
  if (text === '') throw new CoreError(ErrorCode.ConfigInvalid, `The previous key file ${path} is empty.`);
  return Buffer.from(text, 'utf8');
}

export const auditAdoptKeyCommand: Command = {
  name: 'audit adopt-key',
  usage: USAGE,
  summary: 'start using AUDIT_KEY on an existing audit log; the key change is recorded in the chain',
  details: [
    'Checks the chain as it stands, then appends one audit.key-adopted row hashed with the new key.',
    'Rows before it stay verifiable: unkeyed ones with plain SHA-256, rows of an earlier key with',
    '"audit verify --previous-key-file <path>" (without it their links are checked, their contents not).',
    'Afterwards every writer (the bot, the CLI) must use the new AUDIT_KEY.',
  ],
  flags: { 'previous-key-file': { value: '<path>', help: 'a file holding the AUDIT_KEY the log was written with (when it had one)' } },
  run(args, ctx) {
    const previous = readKeyFile(args.flags['previous-key-file']);
    if (ctx.config().auditKey === undefined) {
      throw new UsageError('audit adopt-key needs the new key in AUDIT_KEY, e.g. export AUDIT_KEY=$(openssl rand -base64 32)');
    }
    const { row, previous: from, adopted } = ctx.audit().adoptKey(ctx.actor(), previous);
    ctx.out(`audit log now uses AUDIT_KEY ${adopted}: row ${row.id} records the change from ${from}; use this AUDIT_KEY for the bot and the CLI from now on`);
    return 0;
  },
};
