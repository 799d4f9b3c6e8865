/**
 * @module audit/audit-log
 * The append-only, hash-chained audit log (DESIGN §9) over the `audit_log` table. Each append reads
 * the head and inserts the next row inside one IMMEDIATE transaction, so two processes sharing the
 * database queue up instead of forking the chain. See `canonical.ts` for what each hash covers.
 *
 * @example
 * const audit = new AuditLog(db, { key: config.auditKey });
 * audit.append({ actor: 'system', event: 'backup.succeeded', target: key, details: { sha256 } });
 * const anchor = formatAuditHead(audit.head()); // goes into the backup's `audit-head` metadata
 */
import type { Database, Statement } from 'better-sqlite3';
import { systemClock, type Clock } from '../clock.js';
import { CoreError, ErrorCode } from '../errors.js';
import { canonicalJson, canonicalRow, chainHash, GENESIS_HASH, normaliseDetails } from './canonical.js';
import { KEY_ADOPTED_EVENT, keyChanges, keyFingerprint, keyPlan, UNKEYED, type KeyChange, type UncheckedRange } from './key-epochs.js';
import type { AuditEntry, AuditHead, AuditRecord, AuditTrail } from './types.js';
import { verifyChain, type AuditVerifyResult, type StoredAuditRow } from './verify-chain.js';

export interface AuditLogOptions {
  /** AUDIT_KEY: turns the chain into an HMAC chain; a string is used as its UTF-8 bytes. */
  key?: Buffer | string;
  clock?: Clock;
}

/** A verification result; on a log whose key changed, also the changes and what could not be checked. */
export type KeyAwareVerifyResult = AuditVerifyResult & { keyChanges?: KeyChange[]; unchecked?: UncheckedRange[] };

const COLUMNS = 'id, time, actor, event, target, details, prev_hash, hash';

function toRecord(row: StoredAuditRow): AuditRecord {
  return {
    id: row.id, time: row.time, actor: row.actor, event: row.event, target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>, prevHash: row.prev_hash, hash: row.hash,
  };
}

/**
 * The first writer records which key the chain uses; a later writer with another key (or with a
 * key where there was none, or none where there was one) is refused before it appends a row.
 * Reading and verifying stay allowed: verify then names the wrong key as the likely cause. A key
 * change is explicit and recorded in the chain: `AuditLog.adoptKey` (`vault-chatops audit adopt-key`).
 */
function checkKeyFingerprint(db: Database, key: Buffer | undefined): void {
  const mine = keyFingerprint(key);
  let recorded: string | undefined;
  try {
    db.prepare(`INSERT OR IGNORE INTO audit_meta (name, value) VALUES ('key_fingerprint', ?)`).run(mine);
    recorded = (db.prepare(`SELECT value FROM audit_meta WHERE name = 'key_fingerprint'`).get() as { value: string } | undefined)?.value;
  } catch (error) {
    throw new CoreError(ErrorCode.Internal, 'The audit_meta table is missing; run "vault-chatops migrate" first.', { cause: error });
  }
  if (recorded === mine) return;
  const problem =
    recorded === 'unkeyed' ? 'without AUDIT_KEY, but AUDIT_KEY is set now'
      : mine === 'unkeyed' ? 'with AUDIT_KEY, but AUDIT_KEY is not set now'
        : 'with a different AUDIT_KEY than the one set now';
  throw new CoreError(
    ErrorCode.ConfigInvalid,
    `The audit log in this DATA_DIR was written ${problem}; use the bot's AUDIT_KEY (rows written with another key would break the chain), or record a deliberate key change with "vault-chatops audit adopt-key".`,
  );
}

export class AuditLog implements AuditTrail {
  /** True when rows are chained with an HMAC key; without one the chain only catches accidents. */
  readonly keyed: boolean;
  private readonly key: Buffer | undefined;
  private readonly clock: Clock;
  private readonly headStmt: Statement<[], { id: number; hash: string }>;
  private readonly insertStmt: Statement<[StoredAuditRow]>;
  private readonly tailStmt: Statement<[number], StoredAuditRow>;
  private readonly allStmt: Statement<[], StoredAuditRow>;
  private readonly targetStmt: Statement<[string, number], StoredAuditRow>;
  private readonly db: Database;
  private readonly appendTx: (entry: AuditEntry) => AuditRecord;
  private keyChecked = false;

  constructor(db: Database, options: AuditLogOptions = {}) {
    const { key, clock = systemClock } = options;
    if (key !== undefined && key.length === 0) {
      throw new CoreError(ErrorCode.Internal, 'The audit key is empty; set AUDIT_KEY to a random value or leave it unset.');
    }
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    this.keyed = this.key !== undefined;
    this.clock = clock;
    this.db = db;
    try {
      this.headStmt = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
      this.insertStmt = db.prepare(
        `INSERT INTO audit_log (${COLUMNS}) VALUES (@id, @time, @actor, @event, @target, @details, @prev_hash, @hash)`,
      );
      this.tailStmt = db.prepare(`SELECT * FROM (SELECT ${COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?) ORDER BY id`);
      this.allStmt = db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY id`);
      this.targetStmt = db.prepare(`SELECT * FROM (SELECT ${COLUMNS} FROM audit_log WHERE target = ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    } catch (error) {
      throw new CoreError(ErrorCode.Internal, 'The audit_log table is missing; run "vault-chatops migrate" first.', { cause: error });
    }
    const tx = db.transaction((entry: AuditEntry) => this.insert(entry));
    this.appendTx = (entry) => {
      // Once per instance, before its first row: never mix keys in one chain.
      if (!this.keyChecked) {
        checkKeyFingerprint(db, this.key);
        this.keyChecked = true;
      }
      return tx.immediate(entry);
    };
  }

  /** Records one event and returns the stored row. Secret-looking detail keys are redacted. */
  append(entry: AuditEntry): AuditRecord {
    if (entry.actor.trim() === '' || entry.event.trim() === '') {
      throw new CoreError(ErrorCode.Internal, 'An audit entry needs an actor and an event.');
    }
    return this.appendTx(entry);
  }

  head(): AuditHead {
    return this.headStmt.get() ?? { id: 0, hash: GENESIS_HASH };
  }

  /** The newest `n` rows, oldest first. */
  tail(n: number): AuditRecord[] {
    return this.tailStmt.all(Math.max(0, Math.floor(n))).map(toRecord);
  }

  /** The newest `n` rows about `target` (an object key, a request id …), oldest first. */
  aboutTarget(target: string, n = 50): AuditRecord[] {
    return this.targetStmt.all(target, Math.max(0, Math.floor(n))).map(toRecord);
  }

  /**
   * Recomputes the whole chain; with an anchor (`audit-head` of a backup) also detects deleted
   * newest rows. Rows before a recorded key change are checked with their own key: plain SHA-256
   * for an unkeyed past, `previousKeys` for an earlier AUDIT_KEY, links only when it is not given.
   */
  verify(options: { anchor?: AuditHead; previousKeys?: readonly Buffer[] } = {}): KeyAwareVerifyResult {
    return this.verifyWith(this.key, options.previousKeys ?? [], options.anchor);
  }

  /**
   * Starts using this instance's key on a log written without it (or with another key): checks the
   * chain as it stands, then appends one `audit.key-adopted` row — hashed with the new key, naming
   * the previous key's fingerprint and the head it closes — and records the new key as the one
   * writers must use. `previousKey` is needed when the log was written with another AUDIT_KEY.
   * Refuses a broken chain: adopting a key then would seal a tampered history.
   */
  adoptKey(actor: string, previousKey?: Buffer): { row: AuditRecord; previous: string; adopted: string } {
    if (this.key === undefined) {
      throw new CoreError(ErrorCode.ConfigInvalid, 'Set AUDIT_KEY to the new key first; a keyed log cannot go back to no key.');
    }
    const key = this.key;
    const adopted = keyFingerprint(key);
    const run = this.db.transaction(() => {
      const recorded = (this.db.prepare(`SELECT value FROM audit_meta WHERE name = 'key_fingerprint'`).get() as { value: string } | undefined)?.value ?? UNKEYED;
      if (recorded === adopted) throw new CoreError(ErrorCode.InvalidInput, `The audit log already uses this AUDIT_KEY (${adopted}); nothing to adopt.`);
      const oldKey = recorded === UNKEYED ? undefined : previousKey;
      if (recorded !== UNKEYED && (previousKey === undefined || keyFingerprint(previousKey) !== recorded)) {
        throw new CoreError(
          ErrorCode.ConfigInvalid,
          `The audit log was written with another AUDIT_KEY (${recorded}); give that key with --previous-key-file so the history is checked before the change.`,
        );
      }
      const result = this.verifyWith(oldKey, previousKey === undefined ? [] : [previousKey]);
      if (result.firstBroken) {
        throw new CoreError(
          ErrorCode.AuditBroken,
          `The audit chain is broken at row ${result.firstBroken.id} (${result.firstBroken.reason}): ${result.firstBroken.detail} Adopting a key now would seal that history; investigate first.`,
        );
      }
      const head = this.head();
      const row = this.insert({ actor, event: KEY_ADOPTED_EVENT, details: { previous: recorded, adopted, previousHead: `${head.id}:${head.hash}` } });
      this.db.prepare(`INSERT INTO audit_meta (name, value) VALUES ('key_fingerprint', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`).run(adopted);
      this.keyChecked = true;
      return { row, previous: recorded, adopted };
    });
    return run.immediate();
  }

  private verifyWith(current: Buffer | undefined, others: readonly Buffer[], anchor?: AuditHead): KeyAwareVerifyResult {
    const changes = keyChanges(this.db.prepare(`SELECT id, details FROM audit_log WHERE event = ? ORDER BY id`).all(KEY_ADOPTED_EVENT) as Array<{ id: number; details: string }>);
    const plan = keyPlan(changes, current, others);
    const result = verifyChain(this.allStmt.iterate(), {
      ...(current !== undefined && { key: current }),
      ...(anchor !== undefined && { anchor }),
      ...(changes.length > 0 && { keyAt: plan.keyAt }),
    });
    return changes.length === 0 ? result : { ...result, keyChanges: changes, unchecked: plan.unchecked(result.head.id) };
  }

  private insert(entry: AuditEntry): AuditRecord {
    const prev = this.head();
    const details = normaliseDetails(entry.details);
    const fields = {
      id: prev.id + 1,
      time: this.clock().toISOString(),
      actor: entry.actor,
      event: entry.event,
      target: entry.target ?? null,
      details,
    };
    const hash = chainHash(prev.hash, canonicalRow(fields), this.key);
    const row: StoredAuditRow = { ...fields, details: canonicalJson(details), prev_hash: prev.hash, hash };
    this.insertStmt.run(row);
    return { ...fields, prevHash: prev.hash, hash };
  }
}
