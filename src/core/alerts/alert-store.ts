/**
 * @module alerts/alert-store
 * Incidents in SQLite (migration 010). Every change is a conditional UPDATE on the state it
 * expects, so a repeated or concurrent call changes nothing twice; the partial unique index
 * `alerts_one_firing` makes a second firing of the same key impossible, across restarts too.
 */
import type Database from 'better-sqlite3';
import { ALERT_TITLES, isAlertKey, type AlertKey, type Severity } from './keys.js';
import type { AlertMessageRef, AlertState, AlertView } from './types.js';

interface AlertRecord {
  id: number; key: string; scope: string; severity: Severity; state: AlertState; summary: string; detail: string;
  fired_at: string; message_ref_json: string | null; delivered_at: string | null; last_reminder_at: string | null;
  reminders: number; acked_by: string | null; acked_at: string | null; resolved_at: string | null; resolve_notified_at: string | null;
}

/** A PagerDuty event of an incident, tracked in migration 017's `pd_*_at` columns. */
export type PagerStep = 'trigger' | 'acknowledge' | 'resolve';
const PAGER_COLUMN: Record<PagerStep, string> = { trigger: 'pd_trigger_at', acknowledge: 'pd_ack_at', resolve: 'pd_resolve_at' };

export interface StoredAlert extends AlertView {
  deliveredAt?: Date;
  lastReminderAt?: Date;
  resolveNotifiedAt?: Date;
}

export function titleOf(key: AlertKey, scope: string): string {
  return scope ? `${ALERT_TITLES[key]} (${scope})` : ALERT_TITLES[key];
}

function toAlert(r: AlertRecord): StoredAlert {
  const key = isAlertKey(r.key) ? r.key : 'vault_unreachable';
  const date = (v: string | null): Date | undefined => (v === null ? undefined : new Date(v));
  const ref = r.message_ref_json ? (JSON.parse(r.message_ref_json) as AlertMessageRef) : undefined;
  const a: StoredAlert = {
    id: r.id, key, scope: r.scope, severity: r.severity, state: r.state, title: r.summary || titleOf(key, r.scope), detail: r.detail,
    firedAt: new Date(r.fired_at), reminders: r.reminders,
  };
  const optional: Partial<StoredAlert> = {
    ackedBy: r.acked_by ?? undefined, ackedAt: date(r.acked_at), resolvedAt: date(r.resolved_at), messageRef: ref,
    deliveredAt: date(r.delivered_at), lastReminderAt: date(r.last_reminder_at), resolveNotifiedAt: date(r.resolve_notified_at),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (a as unknown as Record<string, unknown>)[k] = v;
  return a;
}

export class AlertStore {
  constructor(private readonly db: Database.Database) {}

  /** Opens an incident; undefined when one is already firing for this key and scope. */
  open(a: { key: AlertKey; scope: string; severity: Severity; detail: string; at: Date; title?: string }): StoredAlert | undefined {
    const info = this.db
      .prepare(`INSERT INTO alerts (key, scope, severity, state, summary, detail, fired_at) VALUES (?, ?, ?, 'firing', ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(a.key, a.scope, a.severity, a.title ?? titleOf(a.key, a.scope), a.detail, a.at.toISOString());
    return info.changes === 1 ? this.get(Number(info.lastInsertRowid)) : undefined;
  }

  get(id: number): StoredAlert | undefined {
    const row = this.db.prepare(`SELECT * FROM alerts WHERE id = ?`).get(id) as AlertRecord | undefined;
    return row && toAlert(row);
  }

  firingFor(key: AlertKey, scope: string): StoredAlert | undefined {
    const row = this.db.prepare(`SELECT * FROM alerts WHERE key = ? AND scope = ? AND state = 'firing'`).get(key, scope) as AlertRecord | undefined;
    return row && toAlert(row);
  }

  firing(): StoredAlert[] {
    return this.select(`WHERE state = 'firing' ORDER BY fired_at, id`);
  }

  /** Resolved since `since`, newest first. */
  resolvedSince(since: Date, limit = 20): StoredAlert[] {
    return this.select(`WHERE state = 'resolved' AND resolved_at >= ? ORDER BY resolved_at DESC LIMIT ?`, since.toISOString(), limit);
  }

  /** Steps still owed to people: undelivered fired messages and unannounced resolutions. */
  undelivered(): StoredAlert[] {
    return this.select(`WHERE (state = 'firing' AND delivered_at IS NULL) OR (state = 'resolved' AND resolve_notified_at IS NULL) ORDER BY id`);
  }

  markDelivered(id: number, ref: AlertMessageRef, at: Date): void {
    this.db.prepare(`UPDATE alerts SET message_ref_json = ?, delivered_at = ? WHERE id = ? AND delivered_at IS NULL`).run(JSON.stringify(ref), at.toISOString(), id);
  }

  /**
   * Claims the incident's next Slack step for this process (migration 017): true when no other
   * process holds a claim younger than `staleBefore`. `guard` narrows it to the step still being
   * owed (e.g. `delivered_at IS NULL`), so a step another process already finished is not claimed.
   */
  claim(id: number, at: Date, staleBefore: Date, guard: 'fired' | 'resolved' | { reminders: number }): boolean {
    const owed =
      guard === 'fired' ? `delivered_at IS NULL` : guard === 'resolved' ? `resolve_notified_at IS NULL` : `reminders = ${Math.trunc(guard.reminders)} AND state = 'firing' AND acked_at IS NULL`;
    return (
      this.db
        .prepare(`UPDATE alerts SET claimed_at = ? WHERE id = ? AND ${owed} AND (claimed_at IS NULL OR claimed_at < ?)`)
        .run(at.toISOString(), id, staleBefore.toISOString()).changes === 1
    );
  }

  /** Gives the claim back (the step was done or failed and stays owed). */
  release(id: number): void {
    this.db.prepare(`UPDATE alerts SET claimed_at = NULL WHERE id = ?`).run(id);
  }

  /** PagerDuty events still owed: critical incidents' trigger, acknowledge (after the trigger) and resolve (after the trigger). */
  pagerOwed(): Array<{ alert: StoredAlert; step: PagerStep }> {
    const out: Array<{ alert: StoredAlert; step: PagerStep }> = [];
    const add = (step: PagerStep, where: string): void => {
      for (const alert of this.select(`WHERE severity = 'critical' AND ${where} ORDER BY id`)) out.push({ alert, step });
    };
    add('trigger', `state = 'firing' AND pd_trigger_at IS NULL`);
    add('acknowledge', `state = 'firing' AND acked_at IS NOT NULL AND pd_trigger_at IS NOT NULL AND pd_ack_at IS NULL`);
    add('resolve', `state = 'resolved' AND pd_trigger_at IS NOT NULL AND pd_resolve_at IS NULL`);
    return out;
  }

  markPaged(id: number, step: PagerStep, at: Date): void {
    this.db.prepare(`UPDATE alerts SET ${PAGER_COLUMN[step]} = ? WHERE id = ? AND ${PAGER_COLUMN[step]} IS NULL`).run(at.toISOString(), id);
  }

  setDetail(id: number, detail: string): void {
    this.db.prepare(`UPDATE alerts SET detail = ? WHERE id = ? AND state = 'firing'`).run(detail, id);
  }

  markReminded(id: number, at: Date): void {
    this.db.prepare(`UPDATE alerts SET last_reminder_at = ?, reminders = reminders + 1 WHERE id = ?`).run(at.toISOString(), id);
  }

  /** True when this call acknowledged it (firing and not yet acknowledged). */
  acknowledge(id: number, userId: string, at: Date): boolean {
    return this.db.prepare(`UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ? AND state = 'firing' AND acked_at IS NULL`).run(userId, at.toISOString(), id).changes === 1;
  }

  /** True when this call resolved it. */
  resolve(id: number, at: Date): boolean {
    return this.db.prepare(`UPDATE alerts SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'firing'`).run(at.toISOString(), id).changes === 1;
  }

  markResolveNotified(id: number, at: Date): void {
    this.db.prepare(`UPDATE alerts SET resolve_notified_at = ? WHERE id = ? AND resolve_notified_at IS NULL`).run(at.toISOString(), id);
  }

  private select(where: string, ...args: unknown[]): StoredAlert[] {
    return (this.db.prepare(`SELECT * FROM alerts ${where}`).all(...args) as AlertRecord[]).map(toAlert);
  }
}
