/**
 * @module drills/drill-store
 * Drill history in SQLite (migration 014). A drill is written as `running` before it starts, so a
 * crash leaves a row that the next start marks `interrupted`; it is never re-run by itself.
 */
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { DrillReport, DrillScenario, DrillStatus, DrillStep, DrillTrigger } from './types.js';

interface DrillRow {
  id: number; scenario: string; trigger: string; actor: string; request_id: string | null; target: string; status: string;
  started_at: string; finished_at: string | null; duration_ms: number | null; target_ms: number | null; met: number | null;
  steps_json: string; failures_json: string; summary: string; owner: string | null;
}

const THIS_PROCESS = `${hostname()}:${process.pid}`;

export class DrillStore {
  private readonly now: Clock;

  constructor(private readonly db: Database.Database, opts: { clock?: Clock } = {}) {
    this.now = opts.clock ?? systemClock;
  }

  start(d: { scenario: DrillScenario; trigger: DrillTrigger; actor: string; requestId?: string; target: string; targetMs: number | null }): DrillReport {
    const startedAt = this.now().toISOString();
    const info = this.db
      .prepare(`INSERT INTO drills (scenario, trigger, actor, request_id, target, status, started_at, target_ms, owner) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`)
      .run(d.scenario, d.trigger, d.actor, d.requestId ?? null, d.target, startedAt, d.targetMs, THIS_PROCESS);
    return this.get(Number(info.lastInsertRowid)) as DrillReport;
  }

  finish(id: number, r: { status: Exclude<DrillStatus, 'running' | 'interrupted'>; durationMs: number | null; met: boolean | null; steps: DrillStep[]; failures: string[]; summary: string }): DrillReport {
    this.db
      .prepare(`UPDATE drills SET status = ?, finished_at = ?, duration_ms = ?, met = ?, steps_json = ?, failures_json = ?, summary = ? WHERE id = ? AND status = 'running'`)
      .run(r.status, this.now().toISOString(), r.durationMs, r.met === null ? null : r.met ? 1 : 0, JSON.stringify(r.steps), JSON.stringify(r.failures), r.summary, id);
    return this.get(id) as DrillReport;
  }

  /** Drills this host's dead processes left running become interrupted; returns them (to report). */
  markInterrupted(): DrillReport[] {
    const host = `${hostname()}:`;
    const rows = this.db.prepare(`SELECT * FROM drills WHERE status = 'running'`).all() as DrillRow[];
    const dead = rows.filter((r) => r.owner?.startsWith(host) && r.owner !== THIS_PROCESS && !pidAlive(Number(r.owner.slice(host.length))));
    const mark = this.db.prepare(`UPDATE drills SET status = 'interrupted', finished_at = ?, summary = 'the process stopped during the drill' WHERE id = ? AND status = 'running'`);
    const now = this.now().toISOString();
    return dead.filter((r) => mark.run(now, r.id).changes === 1).map((r) => this.get(r.id) as DrillReport);
  }

  get(id: number): DrillReport | undefined {
    const row = this.db.prepare(`SELECT * FROM drills WHERE id = ?`).get(id) as DrillRow | undefined;
    return row && toReport(row);
  }

  /** Newest first. */
  list(limit = 10): DrillReport[] {
    return (this.db.prepare(`SELECT * FROM drills ORDER BY started_at DESC, id DESC LIMIT ?`).all(limit) as DrillRow[]).map(toReport);
  }

  /** Drills started in [from, to), oldest first. */
  between(fromIso: string, toIso: string): DrillReport[] {
    return (this.db.prepare(`SELECT * FROM drills WHERE started_at >= ? AND started_at < ? ORDER BY started_at, id`).all(fromIso, toIso) as DrillRow[]).map(toReport);
  }
}

function toReport(r: DrillRow): DrillReport {
  return {
    id: r.id, scenario: r.scenario as DrillScenario, trigger: r.trigger as DrillTrigger, actor: r.actor, requestId: r.request_id,
    target: r.target, status: r.status as DrillStatus, startedAt: r.started_at, finishedAt: r.finished_at,
    durationMs: r.duration_ms, targetMs: r.target_ms, met: r.met === null ? null : r.met === 1,
    steps: JSON.parse(r.steps_json) as DrillStep[], failures: JSON.parse(r.failures_json) as string[], summary: r.summary,
  };
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
