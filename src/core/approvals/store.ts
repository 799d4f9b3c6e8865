/**
 * @module approvals/store
 * SQLite repository for approval requests and votes (migrations/003_approvals.sql).
 * Every state change is a compare-and-swap: `UPDATE … WHERE id = ? AND state = <expected>`, and
 * the caller learns from the changed-row count whether it won. That makes each move safe to
 * repeat and safe across connections and processes sharing the database file.
 * Synchronous on purpose (better-sqlite3): nothing awaits while a transaction is open.
 */
import type Database from 'better-sqlite3';
import { canTransition, isRequestState } from './state-machine.js';
import type { MessageRef, ParamFact, RequestState, RunResult } from './types.js';

export interface RequestRow {
  id: string;
  action: string;
  paramsJson: string;
  paramsSha256: string;
  facts: ParamFact[];
  requester: string;
  teamId: string;
  reason: string | null;
  state: RequestState;
  threshold: number;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  executedAt: string | null;
  finishedAt: string | null;
  result: RunResult | null;
  messageRef: MessageRef | null;
}

export type NewRequestRow = Omit<RequestRow, 'executedAt' | 'finishedAt' | 'result' | 'messageRef'>;

export interface VoteRow {
  userId: string;
  decision: 'approve' | 'deny';
  at: string;
}

interface RawRequest {
  id: string;
  action: string;
  params_json: string;
  params_sha256: string;
  facts_json: string;
  requester: string;
  team_id: string;
  reason: string | null;
  state: string;
  threshold: number;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  executed_at: string | null;
  finished_at: string | null;
  result_json: string | null;
  message_ref_json: string | null;
}

/** Which timestamp a move into each state stamps. */
const STAMP_COLUMN: Partial<Record<RequestState, 'decided_at' | 'executed_at' | 'finished_at'>> = {
  approved: 'decided_at',
  denied: 'decided_at',
  cancelled: 'decided_at',
  expired: 'decided_at',
  executing: 'executed_at',
  succeeded: 'finished_at',
  failed: 'finished_at',
  interrupted: 'finished_at',
};

export class ApprovalStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /**
   * Runs `fn` in an IMMEDIATE transaction: the write lock is taken up front, so two processes
   * deciding on the same request queue behind each other instead of failing to upgrade a read lock.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Returns false when the id is already taken (the caller draws another). */
  insertRequest(row: NewRequestRow): boolean {
    const result = this.#db
      .prepare(
        `INSERT INTO approval_requests (id, action, params_json, params_sha256, facts_json, requester, team_id, reason,
           state, threshold, created_at, expires_at, decided_at)
         VALUES (@id, @action, @paramsJson, @paramsSha256, @factsJson, @requester, @teamId, @reason,
           @state, @threshold, @createdAt, @expiresAt, @decidedAt)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run({ ...row, factsJson: JSON.stringify(row.facts) });
    return result.changes === 1;
  }

  get(id: string): RequestRow | undefined {
    const raw = this.#db.prepare('SELECT * FROM approval_requests WHERE id = ?').get(id) as RawRequest | undefined;
    return raw === undefined ? undefined : toRow(raw);
  }

  /** Newest first. */
  inStates(states: readonly RequestState[], limit: number): RequestRow[] {
    if (states.length === 0) return [];
    const marks = states.map(() => '?').join(', ');
    const raws = this.#db
      .prepare(`SELECT * FROM approval_requests WHERE state IN (${marks}) ORDER BY created_at DESC, id LIMIT ?`)
      .all(...states, limit) as RawRequest[];
    return raws.map(toRow);
  }

  /** Ids of pending requests whose time ran out at `now`. */
  dueForExpiry(now: string): string[] {
    const rows = this.#db
      .prepare(`SELECT id FROM approval_requests WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at`)
      .all(now) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  votes(requestId: string): VoteRow[] {
    return this.#db
      .prepare('SELECT user_id AS userId, decision, at FROM approval_votes WHERE request_id = ? ORDER BY at, rowid')
      .all(requestId) as VoteRow[];
  }

  voteOf(requestId: string, userId: string): VoteRow | undefined {
    return this.#db
      .prepare('SELECT user_id AS userId, decision, at FROM approval_votes WHERE request_id = ? AND user_id = ?')
      .get(requestId, userId) as VoteRow | undefined;
  }

  /** Records an approval; false when this person already voted (the unique row makes clicks count once). */
  addApproval(requestId: string, userId: string, at: string): boolean {
    const result = this.#db
      .prepare(
        `INSERT INTO approval_votes (request_id, user_id, decision, at) VALUES (?, ?, 'approve', ?)
         ON CONFLICT (request_id, user_id) DO NOTHING`,
      )
      .run(requestId, userId, at);
    return result.changes === 1;
  }

  /** Records a denial, replacing this person's earlier approval if any; false when they already denied. */
  addDenial(requestId: string, userId: string, at: string): boolean {
    const result = this.#db
      .prepare(
        `INSERT INTO approval_votes (request_id, user_id, decision, at) VALUES (?, ?, 'deny', ?)
         ON CONFLICT (request_id, user_id) DO UPDATE SET decision = 'deny', at = excluded.at
         WHERE approval_votes.decision <> 'deny'`,
      )
      .run(requestId, userId, at);
    return result.changes === 1;
  }

  countApprovals(requestId: string): number {
    const row = this.#db
      .prepare(`SELECT count(*) AS n FROM approval_votes WHERE request_id = ? AND decision = 'approve'`)
      .get(requestId) as { n: number };
    return row.n;
  }

  /**
   * Compare-and-swap `from → to`, stamping the matching time column (and the result when given).
   * Returns true only for the one caller whose UPDATE found the request still in `from`.
   */
  transition(id: string, from: RequestState, to: RequestState, at: string, result?: RunResult): boolean {
    if (!canTransition(from, to)) throw new Error(`approvals: ${from} → ${to} is not a lifecycle edge`);
    const column = STAMP_COLUMN[to];
    const stamp = column === undefined ? '' : `, ${column} = @at`;
    const setResult = result === undefined ? '' : ', result_json = @result';
    const changed = this.#db
      .prepare(`UPDATE approval_requests SET state = @to${stamp}${setResult} WHERE id = @id AND state = @from`)
      .run({ id, from, to, at, ...(result === undefined ? {} : { result: JSON.stringify(result) }) });
    return changed.changes === 1;
  }

  /** Returns false when the request does not exist. */
  setMessageRef(id: string, ref: MessageRef): boolean {
    const changed = this.#db
      .prepare('UPDATE approval_requests SET message_ref_json = ? WHERE id = ?')
      .run(JSON.stringify({ channel: ref.channel, ts: ref.ts }), id);
    return changed.changes === 1;
  }
}

function toRow(raw: RawRequest): RequestRow {
  if (!isRequestState(raw.state)) throw new Error(`approvals: request ${raw.id} has unknown state ${raw.state}`);
  return {
    id: raw.id,
    action: raw.action,
    paramsJson: raw.params_json,
    paramsSha256: raw.params_sha256,
    facts: JSON.parse(raw.facts_json) as ParamFact[],
    requester: raw.requester,
    teamId: raw.team_id,
    reason: raw.reason,
    state: raw.state,
    threshold: raw.threshold,
    createdAt: raw.created_at,
    expiresAt: raw.expires_at,
    decidedAt: raw.decided_at,
    executedAt: raw.executed_at,
    finishedAt: raw.finished_at,
    result: raw.result_json === null ? null : (JSON.parse(raw.result_json) as RunResult),
    messageRef: raw.message_ref_json === null ? null : (JSON.parse(raw.message_ref_json) as MessageRef),
  };
}
