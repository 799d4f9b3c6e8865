/**
 * @module handlers/lists
 * The read-only answers: `/vault help`, `/vault backups`, `/vault approvals`, `/vault audit [N]`
 * and `/vault audit verify`. Each is one core call and one renderer.
 */
import { helpReply } from '../bot/blocks/command-replies.js';
import { renderApprovalList, renderAuditTail, renderAuditVerify, renderBackupList } from '../bot/blocks/list-messages.js';
import { verifyAgainstBackups } from '../core/audit/verify-against-backups.js';
import type { HandlerDeps, Reply } from './deps.js';
import { USAGE, type BackupListKind } from './parse-command.js';

const HELP = [
  { form: USAGE.status, what: 'Vault health, seal and leader; the last backup and restore test' },
  { form: USAGE.backups, what: 'the newest verified backups' },
  { form: USAGE.backupNow, what: 'take an encrypted backup now' },
  { form: USAGE.restore, what: 'request a restore (two approvals); no argument shows a picker' },
  { form: USAGE.recover, what: 'bring one secret, or everything under a folder, back from a backup as new versions (two approvals; via staging; no value is shown)' },
  { form: USAGE.drill, what: 'run a drill against staging (one approval): steps timed against the RTO targets' },
  { form: USAGE.drills, what: 'the drill history: when, result, time against target' },
  { form: USAGE.report, what: 'the compliance report (default the last 30 days), uploaded to the ops channel' },
  { form: USAGE.seal, what: 'request an emergency seal (two approvals); the thread then follows the unseal' },
  { form: USAGE.rotate, what: 'request a rotation (two approvals): a KV v2 secret’s passwords and keys, the backup encryption key, or the unseal keys (rekey); no value or key share is ever shown' },
  { form: USAGE.unsealStatus, what: 'each node’s seal state, threshold and unseal progress' },
  { form: USAGE.approvals, what: 'requests waiting for approval or running' },
  { form: USAGE.alerts, what: 'firing alerts and those resolved in the last day' },
  { form: USAGE.audit, what: 'the newest audit events, or check the hash chain' },
  { form: USAGE.help, what: 'this list' },
];

export function showHelp(reply: Reply): Promise<void> {
  return reply(helpReply(HELP));
}

export function showBackups(deps: HandlerDeps, reply: Reply, kind: BackupListKind | undefined, limit: number): Promise<void> {
  return reply(renderBackupList(deps.backups.catalogue.list({ ...(kind ? { kind } : {}), limit }), kind, deps.clock()));
}

export function showApprovals(deps: HandlerDeps, reply: Reply): Promise<void> {
  return reply(renderApprovalList(deps.approvals.list(), deps.clock()));
}

export function showAudit(deps: HandlerDeps, reply: Reply, limit: number): Promise<void> {
  return reply(renderAuditTail(deps.audit.tail(limit)));
}

/** Checked against the newest backup's audit-head, so deleted newest rows show as truncation. */
export async function verifyAudit(deps: HandlerDeps, reply: Reply): Promise<void> {
  const result = await verifyAgainstBackups((anchor) => deps.audit.verify(anchor ? { anchor } : {}), { catalogue: deps.backups.catalogue, store: deps.backups.store });
  return reply(renderAuditVerify(result));
}
