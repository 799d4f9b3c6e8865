/**
 * @module rotation/follow-up-store
 * Which rekeys and unseals are being followed (`rotation_follow_ups`, migration 012), so the bot
 * can take them up again after a restart. A row is written when following starts and closed with
 * its outcome when it ends; only open rows are resumed.
 */
import type { Database } from '../db/index.js';

export type FollowUpKind = 'rekey' | 'unseal';

export interface OpenFollowUp {
  requestId: string;
  kind: FollowUpKind;
  state: Record<string, unknown>;
  startedAt: string;
}

export class FollowUpStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  /** Records a follow-up; a second start of the same one (a resume) keeps the first row. */
  open(requestId: string, kind: FollowUpKind, state: Record<string, unknown>): void {
    this.db
      .prepare('INSERT OR IGNORE INTO rotation_follow_ups (request_id, kind, state_json, started_at) VALUES (?, ?, ?, ?)')
      .run(requestId, kind, JSON.stringify(state), this.now().toISOString());
  }

  close(requestId: string, kind: FollowUpKind, outcome: string): void {
    this.db
      .prepare('UPDATE rotation_follow_ups SET ended_at = ?, outcome = ? WHERE request_id = ? AND kind = ? AND ended_at IS NULL')
      .run(this.now().toISOString(), outcome, requestId, kind);
  }

  openOnes(): OpenFollowUp[] {
    const rows = this.db
      .prepare('SELECT request_id, kind, state_json, started_at FROM rotation_follow_ups WHERE ended_at IS NULL ORDER BY started_at')
      .all() as { request_id: string; kind: FollowUpKind; state_json: string; started_at: string }[];
    return rows.map((r) => ({ requestId: r.request_id, kind: r.kind, state: JSON.parse(r.state_json) as Record<string, unknown>, startedAt: r.started_at }));
  }
}
