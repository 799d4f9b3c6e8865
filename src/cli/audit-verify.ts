/**
 * @module cli/audit-verify
 * `vault-chatops audit verify [--anchor <id:hash>]`: recompute the chain and name the first row that
 * breaks it. The anchor is a backup's `audit-head`, which also catches deletion of the newest rows.
 */
import { parseAuditHead, shortAuditHead } from '../core/audit/anchor.js';
import type { AuditHead } from '../core/audit/types.js';
import { ErrorCode, isCoreError } from '../core/errors.js';
import { plural } from '../format/human.js';
import { verifyAgainstBackups } from '../core/audit/verify-against-backups.js';
import { BackupCatalogue } from '../core/backup/catalogue.js';
import type { BackupStore } from '../core/store/backup-store.js';
import { createBackupStore } from '../core/store/create-store.js';
import type { CliContext } from './context.js';
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
  async run(args, ctx) {
    const raw = args.flags['anchor'];
    const given = typeof raw === 'string' ? anchorArgument(raw) : undefined;
    const previous = readKeyFile(args.flags['previous-key-file']);
    const audit = ctx.audit();
    // By default the newest backup's audit-head is the anchor, so deleted newest rows show as truncation.
    const result = await verifyAgainstBackups(
      (anchor) => audit.verify({ ...(anchor === undefined ? {} : { anchor }), ...(previous === undefined ? {} : { previousKeys: [previous] }) }),
      { ...(given ? { given } : {}), catalogue: new BackupCatalogue(ctx.db()), ...backupStoreOf(ctx) },
    );
    const anchor = result.anchor?.head;
    if (result.anchorWarning) ctx.err(`warning: ${result.anchorWarning}`);
    for (const change of result.keyChanges ?? []) ctx.out(`key change at row ${change.id}: ${change.from} → ${change.to} (recorded with audit adopt-key)`);
    for (const gap of result.unchecked ?? []) {
      ctx.err(`rows ${gap.fromId}–${gap.toId} were written with an earlier AUDIT_KEY (${gap.fingerprint}): their links were checked, their contents were not; give that key with --previous-key-file to check them`);
    }
    if (result.firstBroken) {
      const { id, reason, detail } = result.firstBroken;
      ctx.err(`audit chain broken at row ${id} (${reason}): ${detail} ${plural(result.checked, 'row')} verified before it.`);
      return 1;
    }
    const from = result.anchor?.key ? ` (audit-head of the newest backup, ${result.anchor.key})` : '';
    const anchored = anchor === undefined ? '' : `, anchor ${shortAuditHead(anchor)}${from} matches`;
    ctx.out(`audit chain intact: ${plural(result.checked, 'row')}, head ${shortAuditHead(result.head)}${anchored}`);
    return 0;
  },
};

/** The configured store when the backup settings are complete; verify then reads the newest backup's audit-head there too. */
function backupStoreOf(ctx: CliContext): { store?: BackupStore } {
  try {
    const backup = ctx.config().backup;
    return backup ? { store: createBackupStore(backup.store, backup.s3) } : {};
  } catch {
    return {};
  }
}
