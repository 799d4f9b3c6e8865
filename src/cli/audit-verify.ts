/**
 * @module cli/audit-verify
 * `vault-chatops audit verify [--anchor <id:hash>]`: recompute the chain and name the first row that
 * breaks it. The anchor is a backup's `audit-head`, which also catches deletion of the newest rows.
 */
import { parseAuditHead, shortAuditHead } from '../core/audit/anchor.js';
import type { AuditHead } from '../core/audit/types.js';
import { ErrorCode, isCoreError } from '../core/errors.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

/** A malformed anchor is a usage error (exit 2), with the form and where to copy a good one. */
function anchorArgument(raw: string): AuditHead {
  try {
    return parseAuditHead(raw);
  } catch (error) {
    if (isCoreError(error, ErrorCode.InvalidInput)) throw new UsageError(`${error.userMessage} ("vault-chatops backup show latest" prints it); usage: vault-chatops audit verify [--anchor <id:hash>]`);
    throw error;
  }
}

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  usage: 'audit verify [--anchor <id:hash>]',
  summary: "check the audit log's hash chain (against a backup's audit-head with --anchor)",
  flags: { anchor: { value: '<id:hash>', help: "a backup's audit-head (\"backup show\" prints it): also proves no newer rows were deleted" } },
  run(args, ctx) {
    const raw = args.flags['anchor'];
    const anchor = typeof raw === 'string' ? anchorArgument(raw) : undefined;
    const result = ctx.audit().verify(anchor === undefined ? {} : { anchor });
    if (result.firstBroken) {
      const { id, reason, detail } = result.firstBroken;
      ctx.err(`audit chain broken at row ${id} (${reason}): ${detail} ${result.checked} row${result.checked === 1 ? '' : 's'} verified before it.`);
      return 1;
    }
    const anchored = anchor === undefined ? '' : `, anchor ${shortAuditHead(anchor)} matches`;
    ctx.out(`audit chain intact: ${result.checked} row${result.checked === 1 ? '' : 's'}, head ${shortAuditHead(result.head)}${anchored}`);
    return 0;
  },
};
