/**
 * @module cli/audit-verify
 * `vault-chatops audit verify [--anchor <id:hash>]`: recompute the chain and name the first row that
 * breaks it. The anchor is a backup's `audit-head`, which also catches deletion of the newest rows.
 */
import { parseAuditHead, shortAuditHead } from '../core/audit/anchor.js';
import type { AuditHead } from '../core/audit/types.js';
import { ErrorCode, isCoreError } from '../core/errors.js';
import { plural } from '../format/human.js';
import type { Command } from './registry.js';
import { readKeyFile } from './audit-adopt-key.js';
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
  flags: {
    anchor: { value: '<id:hash>', help: "a backup's audit-head (\"backup show\" prints it): also proves no newer rows were deleted" },
    'previous-key-file': { value: '<path>', help: 'the AUDIT_KEY used before a recorded key change, to check those rows too' },
  },
  details: [
    'A key change made with "audit adopt-key" is a row in the chain: rows before it are checked with',
    'their own key (plain SHA-256 when there was none), and the change is listed, not reported as tampering.',
  ],
  run(args, ctx) {
    const raw = args.flags['anchor'];
    const anchor = typeof raw === 'string' ? anchorArgument(raw) : undefined;
    const previous = readKeyFile(args.flags['previous-key-file']);
    const result = ctx.audit().verify({ ...(anchor === undefined ? {} : { anchor }), ...(previous === undefined ? {} : { previousKeys: [previous] }) });
    for (const change of result.keyChanges ?? []) ctx.out(`key change at row ${change.id}: ${change.from} → ${change.to} (recorded with audit adopt-key)`);
    for (const gap of result.unchecked ?? []) {
      ctx.err(`rows ${gap.fromId}–${gap.toId} were written with an earlier AUDIT_KEY (${gap.fingerprint}): their links were checked, their contents were not; give that key with --previous-key-file to check them`);
    }
    if (result.firstBroken) {
      const { id, reason, detail } = result.firstBroken;
      ctx.err(`audit chain broken at row ${id} (${reason}): ${detail} ${plural(result.checked, 'row')} verified before it.`);
      return 1;
    }
    const anchored = anchor === undefined ? '' : `, anchor ${shortAuditHead(anchor)} matches`;
    ctx.out(`audit chain intact: ${plural(result.checked, 'row')}, head ${shortAuditHead(result.head)}${anchored}`);
    return 0;
  },
};
