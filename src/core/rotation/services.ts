/**
 * @module rotation/services
 * What the rotation commands need besides the Vault client, assembled once at start-up: the
 * validated ROTATION_RULES, the rekey settings, every node to ask for its seal state, and the
 * backup-key planner. Handlers call these; the actions hold their own references.
 */
import type { RekeyRequest } from '../vault/rekey.js';
import type { RotationRules } from './rules.js';
import type { UnsealNode } from './unseal-follow.js';

export interface RotationServices {
  rules: RotationRules;
  rekey: RekeyRequest;
  /** `VAULT_ADDR` first, then each of `VAULT_NODE_ADDRS`. */
  nodes(): readonly UnsealNode[];
  /** Request time of `rotate backup-key`: refuses when there is nothing to do. */
  planBackupKey(): Promise<object>;
}
