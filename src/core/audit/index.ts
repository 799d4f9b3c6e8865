/** @module audit The hash-chained audit log: recording, reading and verifying it. */
export { AuditLog, type AuditLogOptions } from './audit-log.js';
export { formatAuditHead, parseAuditHead, shortAuditHead } from './anchor.js';
export { canonicalRow, chainHash, GENESIS_HASH, REDACTED_DETAIL } from './canonical.js';
export { verifyChain, type AuditBreak, type AuditBreakReason, type AuditVerifyResult, type StoredAuditRow } from './verify-chain.js';
export type { AuditEntry, AuditHead, AuditRecord, AuditTrail } from './types.js';
