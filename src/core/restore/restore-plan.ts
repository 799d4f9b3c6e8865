/**
 * @module restore/restore-plan
 * A restore is planned first, then run exactly as planned. The plan freezes the object key, its size
 * and sha256 — what approvers see is what runs; if the object changed since, execution fails safe.
 */
import { formatBytes } from '../../format/human.js';
import type { BackupStore } from '../store/backup-store.js';
import { CoreError, ErrorCode } from '../errors.js';
import type { CatalogueEntry } from '../backup/catalogue.js';
import { resolveBackup } from './resolve-backup.js';

/** What a plan needs of the catalogue: the entry recorded under a key, if any. */
export interface CatalogueLookup {
  get(key: string): CatalogueEntry | undefined;
}

export type RestoreTargetName = 'prod' | 'staging';

export interface RestorePlan {
  key: string;
  target: RestoreTargetName;
  /** The address of the Vault that will be overwritten, frozen so approvers see and approve it. */
  address?: string;
  force: boolean;
  size: number;
  /**
   * sha256 of the stored (encrypted) bytes: the catalogue's when it knows the object, else the
   * object's own metadata; absent for foreign/legacy objects.
   */
  sha256?: string;
  /**
   * Whether this bot's catalogue recorded the object when it was verified. False (a fresh
   * database over an existing store) means the expected checksums come from the object's own
   * metadata, which sits in the same store and proves nothing on its own: the request says so.
   */
  catalogueKnown?: boolean;
  /** The cluster the backup was taken from (sys/health cluster_id, else its name), when recorded. */
  sourceCluster?: string;
  /**
   * True when the backup comes from another cluster than the target (or is a staging safety
   * snapshot planned into production): the request must say so prominently and, as Vault does,
   * need force. Undefined when either side's cluster is unknown.
   */
  foreignCluster?: boolean;
  plainSha256?: string;
  createdAt?: string;
  keyId?: string;
  format?: string;
  vaultVersion?: string;
  /** Other backups of the day that was typed, so the requester can pick one by key instead. */
  alsoThatDay?: string[];
}

export async function planRestore(
  store: BackupStore,
  spec: string,
  opts: {
    target: RestoreTargetName; force?: boolean; address?: string; catalogue?: CatalogueLookup;
    /** The target's cluster, from its sys/health, to tell a foreign backup. */
    targetCluster?: { id?: string; name?: string };
  },
): Promise<RestorePlan> {
  const { name, object, alsoThatDay } = await resolveBackup(store, spec);
  const m = object.metadata;
  const known = opts.catalogue?.get(object.key);
  if (known) {
    // The object's metadata sits beside it and can be rewritten with it; the catalogue cannot.
    const problems = [
      ...(object.size !== known.storedBytes ? [`size ${object.size} bytes, recorded ${known.storedBytes}`] : []),
      ...(m['sha256'] !== known.sha256 ? [`sha256 ${(m['sha256'] ?? 'none').slice(0, 12)}…, recorded ${known.sha256.slice(0, 12)}…`] : []),
      ...(m['plain-sha256'] !== undefined && m['plain-sha256'] !== known.plainSha256 ? ['plain-sha256 differs from the recorded one'] : []),
    ];
    if (problems.length > 0) {
      throw new CoreError(
        ErrorCode.VerifyFailed,
        `The object ${object.key} in ${store.location} is not the backup the catalogue recorded under that name (${problems.join('; ')}): it was replaced or altered since it was verified; refusing to use it.`,
      );
    }
  }
  const sha256 = known?.sha256 ?? m['sha256'];
  const plainSha256 = known?.plainSha256 ?? m['plain-sha256'];
  const createdAt = m['created-at'] ?? name?.takenAt.toISOString();
  const recordedCluster = m['cluster'] !== undefined && m['cluster'] !== 'unknown' ? m['cluster'] : undefined;
  const sourceId = known?.cluster ?? recordedCluster;
  const sourceCluster = sourceId ?? m['cluster-name'];
  const foreignCluster =
    opts.target === 'prod' && object.key.startsWith('staging/') ? true
      : sourceId !== undefined && opts.targetCluster?.id !== undefined ? sourceId !== opts.targetCluster.id
        : undefined;
  return {
    ...(sourceCluster ? { sourceCluster } : {}),
    ...(foreignCluster !== undefined ? { foreignCluster } : {}),
    key: object.key,
    target: opts.target,
    ...(opts.address ? { address: opts.address } : {}),
    force: opts.force ?? false,
    size: object.size,
    ...(sha256 ? { sha256 } : {}),
    ...(opts.catalogue ? { catalogueKnown: known !== undefined } : {}),
    ...(plainSha256 ? { plainSha256 } : {}),
    ...(createdAt ? { createdAt } : {}),
    ...(m['key-id'] ? { keyId: m['key-id'] } : {}),
    format: m['format'] ?? 'legacy',
    ...(m['vault-version'] && m['vault-version'] !== 'unknown' ? { vaultVersion: m['vault-version'] } : {}),
    ...(alsoThatDay ? { alsoThatDay } : {}),
  };
}

/** Plain facts for a person or an approval request. */
export function describePlan(plan: RestorePlan): Array<{ label: string; value: string }> {
  return [
    { label: 'Backup', value: plan.key },
    { label: 'Size', value: formatBytes(plan.size) },
    { label: 'Created', value: plan.createdAt ?? 'unknown' },
    { label: 'sha256', value: plan.sha256 ? plan.sha256.slice(0, 12) : 'not recorded' },
    ...(plan.catalogueKnown === false
      ? [{ label: 'Catalogue', value: "not in this bot's catalogue (a fresh database?): its checksums come only from the object's own metadata" }]
      : []),
    { label: 'Target', value: `${plan.target === 'prod' ? 'production' : 'staging'}${plan.address ? ` (${plan.address})` : ''}` },
    ...(plan.foreignCluster
      ? [{ label: 'Source cluster', value: `ANOTHER cluster than the target (${plan.sourceCluster ?? 'a staging snapshot'}): restoring replaces the target's data, tokens and keys with that cluster's; Vault needs force for it` }]
      : []),
    ...(plan.force ? [{ label: 'Mode', value: 'force (snapshot from another cluster)' }] : []),
    ...(plan.alsoThatDay?.length
      ? [{ label: 'Also that day', value: `${plan.alsoThatDay.join(', ')} (request again with ${plan.alsoThatDay.length === 1 ? 'its key' : 'one of these keys'} instead of the date to restore ${plan.alsoThatDay.length === 1 ? 'it' : 'one of them'})` }]
      : []),
  ];
}

/** `1.5 MiB`: one implementation, in the formatting leaf shared with the CLI and Slack. */
export { formatBytes };
