/**
 * @module restore/restore-plan
 * A restore is planned first, then run exactly as planned. The plan freezes the object key, its size
 * and sha256 — what approvers see is what runs; if the object changed since, execution fails safe.
 */
import type { BackupStore } from '../store/backup-store.js';
import { resolveBackup } from './resolve-backup.js';

export type RestoreTargetName = 'prod' | 'staging';

export interface RestorePlan {
  key: string;
  target: RestoreTargetName;
  /** The address of the Vault that will be overwritten, frozen so approvers see and approve it. */
  address?: string;
  force: boolean;
  size: number;
  /** sha256 of the stored (encrypted) bytes, from the object's metadata; absent for foreign/legacy objects. */
  sha256?: string;
  plainSha256?: string;
  createdAt?: string;
  keyId?: string;
  format?: string;
  vaultVersion?: string;
}

export async function planRestore(
  store: BackupStore,
  spec: string,
  opts: { target: RestoreTargetName; force?: boolean; address?: string },
): Promise<RestorePlan> {
  const { name, object } = await resolveBackup(store, spec);
  const m = object.metadata;
  const createdAt = m['created-at'] ?? name?.takenAt.toISOString();
  return {
    key: object.key,
    target: opts.target,
    ...(opts.address ? { address: opts.address } : {}),
    force: opts.force ?? false,
    size: object.size,
    ...(m['sha256'] ? { sha256: m['sha256'] } : {}),
    ...(m['plain-sha256'] ? { plainSha256: m['plain-sha256'] } : {}),
    ...(createdAt ? { createdAt } : {}),
    ...(m['key-id'] ? { keyId: m['key-id'] } : {}),
    format: m['format'] ?? 'legacy',
    ...(m['vault-version'] && m['vault-version'] !== 'unknown' ? { vaultVersion: m['vault-version'] } : {}),
  };
}

/** Plain facts for a person or an approval request. */
export function describePlan(plan: RestorePlan): Array<{ label: string; value: string }> {
  return [
    { label: 'Backup', value: plan.key },
    { label: 'Size', value: formatBytes(plan.size) },
    { label: 'Created', value: plan.createdAt ?? 'unknown' },
    { label: 'sha256', value: plan.sha256 ? plan.sha256.slice(0, 12) : 'not recorded' },
    { label: 'Target', value: `${plan.target === 'prod' ? 'production' : 'staging'}${plan.address ? ` (${plan.address})` : ''}` },
    ...(plan.force ? [{ label: 'Mode', value: 'force (snapshot from another cluster)' }] : []),
  ];
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u += 1; }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
