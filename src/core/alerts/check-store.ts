/**
 * @module alerts/check-store
 * The latest state of each health check in SQLite (migration 010): state, since when, and the
 * consecutive failure and pass counts the engine decides on. Kept in the database so a restart
 * neither forgets a streak nor claims a check "changed" when it did not.
 */
import type Database from 'better-sqlite3';
import type { CheckName, CheckResult, CheckState } from '../health/types.js';

export interface CheckRecord {
  name: CheckName;
  state: CheckState;
  since: Date;
  failStreak: number;
  passStreak: number;
  detail: string;
  checkedAt: Date;
}

interface Row { name: string; state: CheckState; since: string; fail_streak: number; pass_streak: number; detail: string; checked_at: string }

export class CheckStore {
  constructor(private readonly db: Database.Database) {}

  all(): CheckRecord[] {
    return (this.db.prepare(`SELECT * FROM health_checks`).all() as Row[]).map(toRecord);
  }

  /**
   * Records one result; `skip` leaves the streaks as they were (it neither fails nor clears). Read
   * and write are one IMMEDIATE transaction, so two processes on one database never both read the
   * same streak and lose a round.
   */
  record(result: CheckResult, at: Date): CheckRecord {
    return this.db.transaction(() => this.#record(result, at)).immediate();
  }

  #record(result: CheckResult, at: Date): CheckRecord {
    const prev = this.db.prepare(`SELECT * FROM health_checks WHERE name = ?`).get(result.name) as Row | undefined;
    const changed = prev?.state !== result.state;
    const failStreak = result.state === 'fail' ? (prev?.fail_streak ?? 0) + 1 : result.state === 'pass' ? 0 : (prev?.fail_streak ?? 0);
    const passStreak = result.state === 'pass' ? (prev?.pass_streak ?? 0) + 1 : result.state === 'fail' ? 0 : (prev?.pass_streak ?? 0);
    const since = changed || !prev ? at.toISOString() : prev.since;
    this.db
      .prepare(
        `INSERT INTO health_checks (name, state, since, fail_streak, pass_streak, detail, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET state = excluded.state, since = excluded.since, fail_streak = excluded.fail_streak,
           pass_streak = excluded.pass_streak, detail = excluded.detail, checked_at = excluded.checked_at`,
      )
      .run(result.name, result.state, since, failStreak, passStreak, result.detail, at.toISOString());
    return { name: result.name, state: result.state, since: new Date(since), failStreak, passStreak, detail: result.detail, checkedAt: at };
  }
}

function toRecord(r: Row): CheckRecord {
  return {
    name: r.name as CheckName, state: r.state, since: new Date(r.since), failStreak: r.fail_streak, passStreak: r.pass_streak,
    detail: r.detail, checkedAt: new Date(r.checked_at),
  };
}
