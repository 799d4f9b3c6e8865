/**
 * @module handlers/rotate
 * `/vault rotate secret <kv-path> | backup-key | unseal-keys` and `/vault unseal-status`. Each
 * rotation is planned by the core at request time — a bad path, a rekey already running or
 * nothing to re-encrypt is one ephemeral sentence — and then opened as a two-approval request.
 */
import { renderUnsealStatus } from '../bot/blocks/rotation-messages.js';
import { planUnsealKeyRotation } from '../core/actions/rotate-unseal-keys.js';
import { planSecretRotation } from '../core/rotation/rotate-secret.js';
import { readNodeSealStates } from '../core/rotation/unseal-status.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { openRequest } from './open-request.js';

export async function requestSecretRotation(deps: HandlerDeps, asker: Asker, reply: Reply, path: string): Promise<void> {
  const params = await planSecretRotation(deps.backups.vault, deps.rotation.rules, path);
  await openRequest(deps, asker, reply, { action: 'rotate-secret', params });
}

export async function requestUnsealKeyRotation(deps: HandlerDeps, asker: Asker, reply: Reply): Promise<void> {
  const params = await planUnsealKeyRotation(deps.backups.vault, deps.rotation.rekey);
  await openRequest(deps, asker, reply, { action: 'rotate-unseal-keys', params });
}

export async function requestBackupKeyRotation(deps: HandlerDeps, asker: Asker, reply: Reply): Promise<void> {
  const params = await deps.rotation.planBackupKey();
  await openRequest(deps, asker, reply, { action: 'rotate-backup-key', params });
}

export async function showUnsealStatus(deps: HandlerDeps, reply: Reply): Promise<void> {
  await reply(renderUnsealStatus(await readNodeSealStates(deps.rotation.nodes())));
}
