/**
 * @module recover/plan-recovery
 * What a `recover` request freezes (DESIGN §12): the backup (key, sha256, via the restore plan into
 * staging), the mount and path or folder, and the production version of every secret seen there
 * at request time, which becomes the check-and-set of each write after approval.
 *
 * What can be said before approval is said here, each in one sentence: no staging Vault, a KV v1
 * mount, a path no mount serves, a single secret that does not exist in production, a backup that
 * does not resolve. Whether a path exists *in the backup* can only be known once the backup is
 * restored into staging, which is the approved part: such paths are reported as skipped then.
 */
import { CoreError, ErrorCode } from '../errors.js';
import type { RestorePlan } from '../restore/restore-plan.js';
import type { KvMetadata, MountInfo } from '../vault/types.js';
import { isSafeKvPath } from '../rotation/safe-kv-path.js';

/** Parameters frozen at request time; plain JSON. */
export interface RecoverParams {
  /** The KV v2 mount, with its trailing slash, e.g. `secret/`. */
  mount: string;
  /** Relative to the mount: `smtp` (one secret) or `tenants/acme/` (everything under it). */
  path: string;
  prefix: boolean;
  /** The backup, restored into staging (forced: another cluster's keys) before anything is read. */
  restore: RestorePlan;
  /** The production Vault the writes go to. */
  productionAddress: string;
  /** Production's current version of each secret at request time (0: absent); the check-and-set of each write. */
  seen: Record<string, number>;
}

/** What planning needs from production Vault; `VaultClient` satisfies it. */
export interface RecoverPlanningVault {
  readonly address: string;
  mountInfo(path: string): Promise<MountInfo | undefined>;
  kvMetadata(mount: string, path: string): Promise<KvMetadata | undefined>;
  kvListRecursive(mount: string, prefix: string): Promise<string[]>;
}

export interface RecoverPlanningDeps {
  production: RecoverPlanningVault;
  stagingAddress: string | undefined;
  /** Resolves `from` into a restore plan into staging (the backup engine's `planRestore`). */
  planRestore(spec: string): Promise<RestorePlan>;
}

export const RECOVER_FORM = '/vault recover <kv-path | kv-path/> [from <YYYY-MM-DD|latest|key>]';
export const NO_STAGING_MESSAGE =
  'Recovering secrets needs a staging Vault to restore the backup into; set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN, then ask again.';

export async function planRecovery(deps: RecoverPlanningDeps, pathText: string, from = 'latest'): Promise<RecoverParams> {
  if (!deps.stagingAddress) throw new CoreError(ErrorCode.RestoreRefused, NO_STAGING_MESSAGE);
  const raw = pathText.trim().replace(/^\/+/, '').replace(/^v1\//, '');
  if (!isSafeKvPath(raw, { folder: true })) {
    throw new CoreError(ErrorCode.InvalidInput, `"${raw.slice(0, 80)}" is not a KV path; expected ${RECOVER_FORM}, e.g. secret/smtp or secret/tenants/acme/.`);
  }
  const mount = await deps.production.mountInfo(raw);
  if (!mount || mount.path === '') {
    throw new CoreError(ErrorCode.InvalidInput, `No secrets engine the bot can see serves "${raw}" on ${deps.production.address}; give a path under a KV v2 mount, e.g. secret/smtp.`);
  }
  if (mount.type !== 'kv' && mount.type !== 'generic') {
    throw new CoreError(ErrorCode.InvalidInput, `"${mount.path}" is a ${mount.type} secrets engine, not KV; only KV v2 secrets can be recovered.`);
  }
  if (mount.version !== '2') {
    throw new CoreError(ErrorCode.InvalidInput, `"${mount.path}" is a KV version 1 mount, which keeps no versions; only KV v2 secrets can be recovered as a new version.`);
  }
  let path = raw.slice(mount.path.length);
  // Accept the API form too: secret/data/smtp means secret/smtp.
  if (path.startsWith('data/')) path = path.slice('data/'.length);
  const prefix = path === '' || path.endsWith('/');
  const mountName = mount.path.replace(/\/+$/, '');

  const seen: Record<string, number> = {};
  if (prefix) {
    for (const p of await deps.production.kvListRecursive(mountName, path)) {
      seen[p] = (await deps.production.kvMetadata(mountName, p))?.currentVersion ?? 0;
    }
  } else {
    const meta = await deps.production.kvMetadata(mountName, path);
    if (!meta) {
      throw new CoreError(
        ErrorCode.InvalidInput,
        `${mount.path}${path} does not exist in production (never written, or its metadata was deleted); to bring back everything under a folder, end the path with "/".`,
      );
    }
    seen[path] = meta.currentVersion;
  }

  const restore = await deps.planRestore(from);
  return { mount: mount.path, path, prefix, restore, productionAddress: deps.production.address, seen };
}

/** The facts approvers see: what comes back from which backup, where, and what production holds now. Never a value. */
export function describeRecovery(p: RecoverParams): Array<{ label: string; value: string }> {
  const seenPaths = Object.keys(p.seen);
  const target = `${p.mount}${p.path}`;
  return [
    { label: p.prefix ? 'Secrets' : 'Secret', value: p.prefix ? `everything under ${target} in the backup` : target },
    { label: 'Backup', value: p.restore.key },
    { label: 'Created', value: p.restore.createdAt ?? 'unknown' },
    { label: 'sha256', value: p.restore.sha256 ? p.restore.sha256.slice(0, 12) : 'not recorded' },
    {
      label: 'Production now',
      value: p.prefix
        ? `${seenPaths.length} secret${seenPaths.length === 1 ? '' : 's'} under ${target}`
        : `version ${p.seen[p.path] ?? 0}`,
    },
    { label: 'Via', value: `staging (${p.restore.address ?? 'staging'}), restored with force; safety snapshot first` },
    { label: 'Writes', value: `new versions in production (${p.productionAddress}), check-and-set on the versions above; unchanged data is not rewritten` },
  ];
}
