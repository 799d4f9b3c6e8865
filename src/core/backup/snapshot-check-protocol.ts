/** @module backup/snapshot-check-protocol Messages between SnapshotValidator and its worker thread. */
import type { SnapshotSummary } from './snapshot-check.js';

export type ToCheckWorker = { type: 'bytes'; bytes: Uint8Array } | { type: 'end' };

export type FromCheckWorker =
  /** The batch zlib has taken, its memory handed back for reuse. */
  | { type: 'consumed'; bytes: Uint8Array }
  | { type: 'valid'; summary: SnapshotSummary }
  | { type: 'invalid'; reason: string };
