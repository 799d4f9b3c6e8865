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
import { createHmac } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { systemClock, type Clock } from '../clock.js';
import { CoreError, ErrorCode } from '../errors.js';
import { canonicalJson, canonicalRow, chainHash, GENESIS_HASH, normaliseDetails } from './canonical.js';
import type { AuditEntry, AuditHead, AuditRecord, AuditTrail } from './types.js';
import { verifyChain, type AuditVerifyResult, type StoredAuditRow } from './verify-chain.js';

export interface AuditLogOptions {
  /** AUDIT_KEY: turns the chain into an HMAC chain; a string is used as its UTF-8 bytes. */
  key?: Buffer | string;
  clock?: Clock;
}

const COLUMNS = 'id, time, actor, event, target, details, prev_hash, hash';

function toRecord(row: StoredAuditRow): AuditRecord {
  return {
    id: row.id, time: row.time, actor: row.actor, event: row.event, target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>, prevHash: row.prev_hash, hash: row.hash,
  };
}

const FINGERPRINT_INPUT = 'vault-chatops audit key fingerprint';

/**
 * The first writer records which key the chain uses; a later writer with another key (or with a
 * key where there was none, or none where there was one) is refused before it appends a row.
 * Reading and verifying stay allowed: verify then names the wrong key as the likely cause.
 */
function checkKeyFingerprint(db: Database, key: Buffer | undefined): void {
  const mine = key === undefined ? 'unkeyed' : `hmac:${createHmac('sha256', key).update(FINGERPRINT_INPUT).digest('hex').slice(0, 16)}`;
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
    `The audit log in this DATA_DIR was written ${problem}; use the bot's AUDIT_KEY (rows written with another key would break the chain).`,
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

  /** Recomputes the whole chain; with an anchor (`audit-head` of a backup) also detects deleted newest rows. */
  verify(options: { anchor?: AuditHead } = {}): AuditVerifyResult {
    return verifyChain(this.allStmt.iterate(), {
      ...(this.key !== undefined && { key: this.key }),
      ...(options.anchor !== undefined && { anchor: options.anchor }),
    });
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
