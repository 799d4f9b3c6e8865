/**
 * @module handlers/restore
 * `/vault restore <YYYY-MM-DD|latest|key> [staging]`: plan the restore (the core resolves the spec,
 * naming the nearest dates when a day has no backup) and open an approval request with the frozen
 * plan. Without a spec: an ephemeral picker of recent backups.
 */
import { renderRestorePicker } from '../bot/blocks/restore-picker.js';
import type { RestoreParams } from '../core/actions/index.js';
import { listRestorable } from '../core/restore/resolve-backup.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { openRequest } from './open-request.js';
import { noticeReply } from '../bot/blocks/command-replies.js';
import { restoreTargetRefusal } from '../core/actions/restore-target.js';

export type RestoreTargetName = 'prod' | 'staging';

export async function showRestorePicker(deps: HandlerDeps, reply: Reply, target: RestoreTargetName): Promise<void> {
  await reply(renderRestorePicker(await listRestorable(deps.backups.store), target));
}

export async function requestRestore(deps: HandlerDeps, asker: Asker, reply: Reply, spec: string, target: RestoreTargetName, force = false): Promise<void> {
  // Staging is another cluster: its snapshot keys differ, so only a forced restore is accepted there (DESIGN §4).
  const plan = await deps.backups.planRestore(spec, target, target === 'staging' || force);
  // A backup of another cluster replaces the target's data, tokens and keys: as Vault does, only with force.
  if (plan.foreignCluster === true && !plan.force) {
    await reply(noticeReply(`${plan.key} was taken from another cluster (${plan.sourceCluster ?? 'a staging snapshot'}) than the ${target === 'prod' ? 'production' : 'staging'} Vault; restoring it replaces the target's data, tokens and unseal keys with that cluster's. Nothing was requested. If that is really what you want, ask with force: /vault restore ${plan.key}${target === 'staging' ? ' staging' : ''} force`, ':warning:'));
    return;
  }
  // A sealed (or unreachable) target cannot take the safety snapshot: say so now, not after two approvals.
  const vault = deps.backups.vault;
  const address = plan.address ?? vault.address;
  const refusal = await restoreTargetRefusal(() => (address === vault.address ? vault : vault.forNode(address)).health(), target === 'prod' ? 'production' : 'staging', address);
  if (refusal !== undefined) {
    await reply(noticeReply(refusal, ':no_entry:'));
    return;
  }
  // The recovery time to plan with, from measured restores of similar size (issue 10).
  const params: RestoreParams = { ...plan, estimate: deps.drills.estimates.estimate(plan.size) };
  await openRequest(deps, asker, reply, { action: 'restore', params });
}
