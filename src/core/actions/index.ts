/** @module actions The gated actions (DESIGN §6) registered with the approval engine: restore and seal. */
export { restoreAction, type RestoreParams, type RestoreRunner, RESTORE_APPROVALS, RESTORE_TTL_MS } from './restore-action.js';
export { sealAction, type SealActionOptions, type SealParams, type SealTarget, SEAL_APPROVALS, SEAL_TTL_MS } from './seal-action.js';
export { formatDuration } from './format-duration.js';
