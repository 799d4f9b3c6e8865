/** @module actions The gated actions (DESIGN §6) registered with the approval engine: restore, seal, recover, drill and the rotations. */
export { restoreAction, type RestoreParams, type RestoreRunner, RESTORE_APPROVALS, RESTORE_TTL_MS } from './restore-action.js';
export { sealAction, type SealActionOptions, type SealParams, type SealTarget, SEAL_APPROVALS, SEAL_TTL_MS } from './seal-action.js';
export { recoverAction, recoveryResult, type RecoveryHook, RECOVER_APPROVALS, RECOVER_TTL_MS } from './recover-action.js';
export { drillAction, drillResult, type DrillHook, type DrillParams, DRILL_TTL_MS } from './drill-action.js';
export { rotateSecretAction, ROTATE_SECRET_ACTION, ROTATE_APPROVALS, ROTATE_TTL_MS } from './rotate-secret.js';
export { rotateUnsealKeysAction, planUnsealKeyRotation, ROTATE_UNSEAL_KEYS_ACTION, type RotateUnsealKeysParams } from './rotate-unseal-keys.js';
export { rotateBackupKeyAction, ROTATE_BACKUP_KEY_ACTION } from './rotate-backup-key.js';
export { withUnsealFollow } from './seal-unseal-follow.js';
export { formatDuration } from './format-duration.js';
