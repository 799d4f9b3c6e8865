/**
 * @module audit/verify-chain
 * Recomputes the audit chain row by row (streaming, flat memory) and names the first row that
 * breaks it. Reasons are distinct because the fix differs: an edited row, a removed or inserted
 * row, or — against an anchor taken from a backup — deleted newest rows or a rewritten history.
 */
import { canonicalJson, canonicalRow, chainHash, GENESIS_HASH } from './canonical.js';
import { shortAuditHead } from './anchor.js';
import type { AuditHead } from './types.js';

/** A row as stored in `audit_log`. */
export interface StoredAuditRow {
  id: number;
  time: string;
  actor: string;
  event: string;
  target: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export type AuditBreakReason =
  /** The row's stored hash does not match its contents: the row was edited (or the key is wrong). */
  | 'content_changed'
  /** The row's prev_hash is not the previous row's hash: a row was replaced or inserted before it. */
  | 'link_broken'
  /** Ids jump: rows before this one were deleted. */
  | 'rows_missing'
  /** The log ends before the anchor's id: the newest rows were deleted. */
  | 'truncated'
  /** The row at the anchor's id has another hash: history up to the anchor was rewritten. */
  | 'anchor_mismatch';

export interface AuditBreak {
  id: number;
  reason: AuditBreakReason;
  /** One sentence for a person. */
  detail: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Rows that verified (all of them when ok). */
  checked: number;
  /** The last row read. */
  head: AuditHead;
  firstBroken?: AuditBreak;
}

export interface VerifyChainOptions {
  key?: Buffer;
  anchor?: AuditHead;
  /**
   * For a log whose key changed (`audit adopt-key`): the key each row was written with, overriding
   * `key`. `unchecked` means that key is not at hand: the row's link is checked, its content not.
   */
  keyAt?: (id: number) => { key?: Buffer } | 'unchecked';
}

export function verifyChain(rows: Iterable<StoredAuditRow>, options: VerifyChainOptions = {}): AuditVerifyResult {
  const { key, anchor } = options;
  let prev: AuditHead = { id: 0, hash: GENESIS_HASH };
  let checked = 0;
  const broken = (id: number, reason: AuditBreakReason, detail: string): AuditVerifyResult => ({
    ok: false, checked, head: prev, firstBroken: { id, reason, detail },
  });
  if (anchor?.id === 0 && anchor.hash !== GENESIS_HASH) {
    return broken(0, 'anchor_mismatch', 'The anchor names row 0 but its hash is not the genesis hash (64 zeros).');
  }

  for (const row of rows) {
    if (row.id !== prev.id + 1) {
      const gap = row.id - 1 === prev.id + 1 ? `row ${prev.id + 1} is` : `rows ${prev.id + 1}–${row.id - 1} are`;
      return broken(row.id, 'rows_missing', `${gap} missing before row ${row.id}: rows were deleted.`);
    }
    if (row.prev_hash !== prev.hash) {
      return broken(row.id, 'link_broken', `Row ${row.id}'s prev_hash is not row ${prev.id}'s hash: a row before it was replaced or inserted.`);
    }
    let details: Record<string, unknown>;
    try {
      details = JSON.parse(row.details) as Record<string, unknown>;
    } catch {
      return broken(row.id, 'content_changed', `Row ${row.id}'s details are not valid JSON: the row was edited.`);
    }
    // The stored text must be exactly the canonical form that was hashed: otherwise duplicate
    // keys, or anything JSON.parse reads differently from SQLite's json functions, could carry
    // content the hash never covered.
    if (canonicalJson(details) !== row.details) {
      return broken(row.id, 'content_changed', `Row ${row.id}'s details are not in the canonical form they were written in: the row was edited.`);
    }
    const rowKey = options.keyAt === undefined ? { key } : options.keyAt(row.id);
    const expected = rowKey === 'unchecked' ? row.hash : chainHash(row.prev_hash, canonicalRow({ ...row, details }), rowKey.key);
    if (expected !== row.hash) {
      const keyHint = row.id === 1 ? ', or AUDIT_KEY is not the key the log was written with' : '';
      return broken(row.id, 'content_changed', `Row ${row.id}'s hash does not match its contents: the row was edited${keyHint}.`);
    }
    if (anchor !== undefined && row.id === anchor.id && row.hash !== anchor.hash) {
      return broken(row.id, 'anchor_mismatch', `Row ${row.id}'s hash differs from the anchor ${shortAuditHead(anchor)}: the log was rewritten up to that row, or the anchor comes from another database.`);
    }
    prev = { id: row.id, hash: row.hash };
    checked += 1;
  }

  if (anchor !== undefined && anchor.id > prev.id) {
    return broken(prev.id + 1, 'truncated', `The log ends at row ${prev.id} but the anchor names row ${anchor.id}: the newest rows were deleted.`);
  }
  return { ok: true, checked, head: prev };
}
