/**
 * @module handlers/recover
 * `/vault recover <kv-path | kv-path/> [from <YYYY-MM-DD|latest|key>]`: the core checks what can
 * be checked before approval (staging configured, KV v2 mount, the secret exists in production,
 * the backup resolves) and freezes the plan; this opens the two-approval request with it.
 */
import { planRecovery } from '../core/recover/index.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { openRequest } from './open-request.js';

export async function requestRecover(deps: HandlerDeps, asker: Asker, reply: Reply, path: string, from: string): Promise<void> {
  const { backups } = deps;
  const params = await planRecovery(
    { production: backups.vault, stagingAddress: backups.stagingAddress, planRestore: (spec) => backups.planRestore(spec, 'staging', true) },
    path,
    from,
  );
  await openRequest(deps, asker, reply, { action: 'recover', params });
}
