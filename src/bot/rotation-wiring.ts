/**
 * @module bot/rotation-wiring
 * Puts rotation together for the running bot (DESIGN §11): registers `rotate-secret` and
 * `rotate-unseal-keys` (and `rotate-backup-key`) with the approval engine, wraps the seal action
 * so its thread follows the unseal, and builds what the handlers need. Follow-ups post through
 * the approval messenger and stop with the bot. Kept out of `launch.ts` so that stays a list.
 */
import { rotateSecretAction } from '../core/actions/rotate-secret.js';
import { followRekeyInThread, rotateUnsealKeysAction, type RekeyFollowState, type RotateUnsealKeysDeps } from '../core/actions/rotate-unseal-keys.js';
import { rotateBackupKeyAction } from '../core/actions/rotate-backup-key.js';
import { planBackupKeyRotation } from '../core/rotation/rotate-backup-key.js';
import { asTheBackupKeyRotation } from '../core/rotation/backup-key-claim.js';
import type { Clock } from '../core/clock.js';
import { followUnsealInThread, withUnsealFollow, type UnsealFollowDeps } from '../core/actions/seal-unseal-follow.js';
import type { Database } from '../core/db/index.js';
import { FollowUpStore } from '../core/rotation/follow-up-store.js';
import type { ApprovalEngine } from '../core/approvals/index.js';
import type { ActionDefinition } from '../core/approvals/types.js';
import type { AuditTrail } from '../core/audit/types.js';
import type { BackupEngine } from '../core/backup-engine.js';
import type { Config } from '../core/config/index.js';
import type { Logger } from '../core/logger.js';
import { changeEvents } from '../core/pagerduty/change-events.js';
import type { RotationServices } from '../core/rotation/services.js';
import type { UnsealNode } from '../core/rotation/unseal-follow.js';
import type { ApprovalMessenger } from './approval-messenger.js';
import { RequestFollowUps } from './request-follow-ups.js';

export interface RotationWiringOptions {
  config: Config;
  backups: BackupEngine;
  audit: AuditTrail;
  logger: Logger;
  clock: Clock;
  /** Where followed rekeys and unseals are remembered across restarts. */
  db: Database;
  /** The messenger is made after the actions are registered; asked for when a line is posted. */
  messenger: () => ApprovalMessenger;
  /** How often follow-ups poll Vault (default 5 s; tests use a few ms). */
  pollMs?: number;
  /** A completed rotation or rekey; default: a PagerDuty change event (a no-op without PAGERDUTY_ROUTING_KEY). */
  onRotated?: (summary: string) => void;
}

export interface RotationWiring {
  services: RotationServices;
  followUps: RequestFollowUps;
  /** Registers the rotation actions. */
  register(approvals: Pick<ApprovalEngine, 'register'>): void;
  /** The seal action, followed until Vault serves again. */
  followSeal<P extends object>(seal: ActionDefinition<P>): ActionDefinition<P>;
  /** At start-up: take up again the rekeys and unseals a restart cut off. Returns how many. */
  resume(): number;
}

export function wireRotation(o: RotationWiringOptions): RotationWiring {
  const { config, backups, audit, logger } = o;
  const followUps = new RequestFollowUps({ messenger: { reply: (id, message) => o.messenger().reply(id, message) }, logger });
  const rekey = { shares: config.rotation.rekey.shares, threshold: config.rotation.rekey.threshold, ...(config.rotation.rekey.pgpKeys ? { pgpKeys: config.rotation.rekey.pgpKeys } : {}) };
  const nodeAddrs = config.vault.nodeAddrs ?? [];
  let nodes: UnsealNode[] | undefined;
  const allNodes = (): readonly UnsealNode[] =>
    (nodes ??= [
      backups.vault,
      ...nodeAddrs
        .filter((addr) => addr.replace(/\/+$/, '') !== backups.vault.address)
        .map((addr) => backups.vault.forNode(addr)),
    ]);
  const onRotated = o.onRotated ?? ((summary: string) => changeEvents.record({ summary, custom_details: { kind: 'rotation' } }));
  const followUpStore = new FollowUpStore(o.db, o.clock);
  const poll = o.pollMs ? { pollMs: o.pollMs } : {};
  const rekeyDeps: RotateUnsealKeysDeps = { vault: backups.vault, audit, rekey, followUps, followUpStore, ...poll, onRotated };
  const unsealDeps: UnsealFollowDeps = { nodes: allNodes, followUps, audit, followUpStore, ...poll };
  return {
    followUps,
    services: {
      rules: config.rotation.rules,
      rekey,
      nodes: allNodes,
      planBackupKey: () => planBackupKeyRotation({ store: backups.store, keyring: backups.keyring }),
    },
    register(approvals) {
      approvals.register(rotateSecretAction({ vault: backups.vault, audit, onRotated }));
      const backupKey = rotateBackupKeyAction({ store: backups.store, keyring: backups.keyring, catalogue: backups.catalogue, audit, clock: o.clock, followUps, onRotated });
      approvals.register({
        ...backupKey,
        // One rotation at a time, under the store lease (see asTheBackupKeyRotation).
        execute: (params, ctx) =>
          asTheBackupKeyRotation({ db: o.db, engine: backups, clock: o.clock, actor: ctx.requester, via: 'Slack' }, () => backupKey.execute(params, ctx)),
      });
      approvals.register(rotateUnsealKeysAction(rekeyDeps));
    },
    followSeal: (seal) => withUnsealFollow(seal, unsealDeps),
    resume() {
      const open = followUpStore.openOnes();
      for (const f of open) {
        logger.info({ requestId: f.requestId, followUp: f.kind }, `following the ${f.kind} again after a restart`);
        void followUps.note(f.requestId, `The bot restarted; following the ${f.kind === 'rekey' ? 'rekey' : 'unseal'} again from here.`);
        if (f.kind === 'rekey') followRekeyInThread(rekeyDeps, f.requestId, f.state as unknown as RekeyFollowState);
        else followUnsealInThread(unsealDeps, f.requestId, Number(f.state.sealedAt));
      }
      return open.length;
    },
  };
}
