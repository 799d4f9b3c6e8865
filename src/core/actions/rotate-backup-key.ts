/**
 * @module actions/rotate-backup-key
 * The `rotate-backup-key` action (DESIGN §11): two approvals, then every backup still under an
 * older key of BACKUP_KEYS is re-encrypted under the active key, verified before it replaces the
 * old object, audited one by one, with progress in the thread every few objects or seconds.
 */
import type { ActionDefinition } from '../approvals/types.js';
import type { FollowUps } from '../rotation/follow-ups.js';
import { LEGACY_FROM_KEY, rotateBackupKey, type BackupKeyDeps, type RotateBackupKeyParams } from '../rotation/rotate-backup-key.js';
import { ROTATE_APPROVALS, ROTATE_TTL_MS } from './rotate-secret.js';

export const ROTATE_BACKUP_KEY_ACTION = 'rotate-backup-key';

export interface RotateBackupKeyActionDeps extends BackupKeyDeps {
  followUps: Pick<FollowUps, 'note'>;
  progressEvery?: number;
  progressMs?: number;
  onRotated?: (summary: string) => void;
}

export function describeBackupKeyRotation(p: Readonly<RotateBackupKeyParams>): { label: string; value: string }[] {
  const from = Object.entries(p.fromKeys)
    .map(([id, n]) => (id === LEGACY_FROM_KEY ? `${n} in the legacy format (key found by trying each BACKUP_KEYS key)` : `${n} under "${id}"`))
    .join(', ');
  return [
    { label: 'Store', value: p.store },
    { label: 'Backups to re-encrypt', value: `${p.objects} (${mib(p.bytes)}): ${from}` },
    { label: 'New key', value: `"${p.activeKeyId}" (BACKUP_ACTIVE_KEY)` },
    { label: 'Safety', value: 'each copy is verified (sha256 and a full decrypt with the new key) before it replaces the old object; an interrupted run resumes' },
  ];
}

export function rotateBackupKeyAction(deps: RotateBackupKeyActionDeps): ActionDefinition<RotateBackupKeyParams> {
  return {
    name: ROTATE_BACKUP_KEY_ACTION,
    approvalsRequired: ROTATE_APPROVALS,
    ttlMs: ROTATE_TTL_MS,
    describe: describeBackupKeyRotation,
    async execute(params, ctx) {
      const report = await rotateBackupKey(deps, params, {
        actor: ctx.requester,
        ...(deps.progressEvery ? { progressEvery: deps.progressEvery } : {}),
        ...(deps.progressMs ? { progressMs: deps.progressMs } : {}),
        onProgress: (p) => void deps.followUps.note(ctx.requestId, `Re-encrypted ${p.done} of ${p.total} backups (${mib(p.bytes)}) under key "${params.activeKeyId}"…`),
      });
      const summary = `Re-encrypted ${report.reencrypted} backup${report.reencrypted === 1 ? '' : 's'} (${mib(report.bytes)}) under key "${report.activeKeyId}"; each was verified before it replaced the old one.`;
      deps.onRotated?.(summary);
      const removable = report.remainingKeyIds.length === 0 && report.legacy.length === 0;
      return {
        summary,
        facts: [
          ...(report.caughtUp > 0 ? [{ label: 'Resumed', value: `${report.caughtUp} backups finished by an earlier run had their catalogue rows brought up to date` }] : []),
          { label: 'Old keys', value: removable ? 'no backup needs them any more: remove them from BACKUP_KEYS and restart' : `still needed by: ${[...report.remainingKeyIds, ...(report.legacy.length ? [`${report.legacy.length} legacy-format backup${report.legacy.length === 1 ? '' : 's'} no key in BACKUP_KEYS decrypts, left as they are (${report.legacy.join(', ')})`] : [])].join(', ')}` },
        ],
      };
    },
  };
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
