/**
 * @module alerts/engine
 * The alert lifecycle of DESIGN §8, Slack-free. A health round's results go in; incidents come
 * out, each exactly once:
 *
 * - **fire**: after `afterFailures` consecutive failed rounds of a check (`vault_sealed`: the first);
 *   one row, one message, audited; a critical one is also handed to the pager.
 * - **remind**: a critical, unacknowledged incident is repeated in its thread every `remindMinutes`.
 * - **acknowledge**: by an authorised user (the approver directory decides), shown and audited.
 * - **resolve**: after `clearAfterPasses` consecutive passing rounds (default `afterFailures`), so a
 *   flapping condition — fail, pass, fail — stays one incident. The message is updated and
 *   "resolved after <duration>" is posted.
 *
 * State lives in SQLite (alerts, health_checks), so a restart neither re-fires nor forgets. A
 * message Slack did not take stays owed and is sent on the next round. All work in one engine is
 * serialised, so a round, a button click and a backup failure never interleave their updates.
 */
import type { AuditTrail } from '../audit/types.js';
import { checkParticipant } from '../approvals/policy.js';
import { refusalMessage } from '../approvals/messages.js';
import type { ApproverDirectory } from '../approvals/types.js';
import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CheckResult, HealthRound } from '../health/types.js';
import { AlertStore, type StoredAlert } from './alert-store.js';
import { CheckStore, type CheckRecord } from './check-store.js';
import { FIRE_AT_ONCE, SEVERITY, SEVERITIES, type AlertKey, type Severity } from './keys.js';
import type { AckResult, AlertNotifier, AlertPager, AlertView } from './types.js';

export interface AlertEngineOptions {
  db: Database.Database;
  audit: AuditTrail;
  notifier: AlertNotifier;
  logger: Logger;
  clock?: Clock;
  /** ALERT_AFTER_FAILURES; default 2. */
  afterFailures?: number;
  /** Consecutive passing rounds before an incident resolves; default `afterFailures`. */
  clearAfterPasses?: number;
  /** ALERT_REMIND_MINUTES; default 15. */
  remindMinutes?: number;
  pager?: AlertPager;
  /** Who may acknowledge: the approver directory, asked at click time. Unset: anyone. */
  directory?: ApproverDirectory;
  /** Our workspace; clicks from another are refused. */
  teamId?: string;
}

export class AlertEngine {
  readonly alerts: AlertStore;
  readonly checks: CheckStore;
  readonly #o: AlertEngineOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #afterFailures: number;
  readonly #clearAfter: number;
  readonly #remindMs: number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: AlertEngineOptions) {
    this.#o = o;
    this.alerts = new AlertStore(o.db);
    this.checks = new CheckStore(o.db);
    this.#clock = o.clock ?? systemClock;
    this.#log = o.logger.child({ component: 'alerts' });
    this.#afterFailures = Math.max(1, o.afterFailures ?? 2);
    this.#clearAfter = Math.max(1, o.clearAfterPasses ?? this.#afterFailures);
    this.#remindMs = (o.remindMinutes ?? 15) * 60_000;
  }

  /** Records a round's results, fires and resolves what they call for, then delivers what is owed. */
  observe(round: HealthRound): Promise<void> {
    return this.#serial(async () => {
      const now = this.#clock();
      const tried = new Set<number>();
      for (const result of round.results) {
        const record = this.checks.record(result, now);
        if (result.alert) await this.#judge(result, result.alert, record, tried);
      }
      // What Slack refused a moment ago waits for the next round rather than being hammered.
      await this.#deliverOwed(tried);
    });
  }

  /** Fires at once (e.g. a failed backup); a second raise while firing adds a note to the same incident. */
  raise(key: AlertKey, scope: string, detail: string): Promise<AlertView> {
    return this.#serial(async () => {
      const existing = this.alerts.firingFor(key, scope);
      if (existing) {
        this.alerts.setDetail(existing.id, detail);
        this.#o.audit.append({ actor: 'system', event: 'alert.repeated', target: targetOf(existing), details: { id: existing.id, detail } });
        if (existing.messageRef) await this.#o.notifier.note(existing, existing.messageRef, `Still failing: ${detail}`).catch((e: unknown) => this.#warn(e, existing, 'note'));
        return existing;
      }
      return this.#fire(key, scope, detail);
    });
  }

  /** Resolves at once (e.g. a backup of that kind succeeded); nothing happens when none is firing. */
  clear(key: AlertKey, scope: string): Promise<AlertView | undefined> {
    return this.#serial(async () => {
      const firing = this.alerts.firingFor(key, scope);
      return firing ? this.#resolve(firing) : undefined;
    });
  }

  /** Acknowledge from a person: authorised at click time, recorded once, shown on the message. */
  async acknowledge(id: number, userId: string, teamId?: string): Promise<AckResult> {
    const { directory } = this.#o;
    if (directory) {
      const refusal = await checkParticipant(directory, userId, teamId ?? this.#o.teamId ?? '', this.#o.teamId ?? teamId ?? '', (error) =>
        this.#log.warn({ err: error, userId }, 'approver directory lookup failed'),
      );
      if (refusal) {
        this.#o.audit.append({ actor: userId, event: 'alert.ack_refused', target: String(id), details: { reason: refusal } });
        return { outcome: 'refused', reason: refusalMessage(refusal).replace('request or approve actions', 'acknowledge alerts') };
      }
    }
    return this.#serial(async () => {
      const alert = this.alerts.get(id);
      if (!alert) return { outcome: 'not_found' } as const;
      if (alert.state === 'resolved') return { outcome: 'already_resolved', alert } as const;
      if (!this.alerts.acknowledge(id, userId, this.#clock())) return { outcome: 'already_acknowledged', alert } as const;
      const acked = this.alerts.get(id) as StoredAlert;
      this.#o.audit.append({ actor: userId, event: 'alert.acknowledged', target: targetOf(acked), details: { id, severity: acked.severity } });
      if (acked.severity === 'critical') this.#o.pager?.acknowledge(acked);
      if (acked.messageRef) await this.#o.notifier.acknowledged(acked, acked.messageRef).catch((e: unknown) => this.#warn(e, acked, 'acknowledged'));
      return { outcome: 'acknowledged', alert: acked } as const;
    });
  }

  /** Posts what Slack did not take before and sends reminders that are due. */
  deliverPending(): Promise<void> {
    return this.#serial(() => this.#deliverOwed(new Set()));
  }

  firing(): AlertView[] {
    return this.alerts.firing();
  }

  recentlyResolved(withinHours = 24, limit = 10): AlertView[] {
    return this.alerts.resolvedSince(new Date(this.#clock().getTime() - withinHours * 3_600_000), limit);
  }

  /** Firing incidents by severity, every severity present (for metrics). */
  firingBySeverity(): Record<Severity, number> {
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const a of this.alerts.firing()) counts[a.severity] += 1;
    return counts;
  }

  /** Waits for queued work (stop). */
  async idle(): Promise<void> {
    await this.#queue;
  }

  async #judge(result: CheckResult, key: AlertKey, record: CheckRecord, tried: Set<number>): Promise<void> {
    const firing = this.alerts.firingFor(key, '');
    if (result.state === 'fail') {
      if (firing) {
        if (firing.detail !== result.detail) this.alerts.setDetail(firing.id, result.detail);
        return;
      }
      if (FIRE_AT_ONCE.has(key) || record.failStreak >= this.#afterFailures) tried.add((await this.#fire(key, '', result.detail)).id);
    } else if (result.state === 'pass' && firing && record.passStreak >= this.#clearAfter) {
      tried.add((await this.#resolve(firing)).id);
    }
  }

  async #fire(key: AlertKey, scope: string, detail: string): Promise<AlertView> {
    const opened = this.alerts.open({ key, scope, severity: SEVERITY[key], detail, at: this.#clock() });
    if (!opened) return this.alerts.firingFor(key, scope) as StoredAlert;
    this.#o.audit.append({ actor: 'system', event: 'alert.fired', target: targetOf(opened), details: { id: opened.id, severity: opened.severity, detail } });
    this.#log.warn({ alert: opened.key, scope, id: opened.id }, `alert fired: ${opened.title}`);
    // The pager only queues; Slack is never behind it.
    if (opened.severity === 'critical') this.#o.pager?.trigger(opened);
    await this.#deliverFired(opened);
    return this.alerts.get(opened.id) ?? opened;
  }

  async #resolve(alert: StoredAlert): Promise<AlertView> {
    const now = this.#clock();
    if (!this.alerts.resolve(alert.id, now)) return alert;
    const resolved = this.alerts.get(alert.id) as StoredAlert;
    const durationMs = now.getTime() - alert.firedAt.getTime();
    this.#o.audit.append({ actor: 'system', event: 'alert.resolved', target: targetOf(resolved), details: { id: alert.id, severity: alert.severity, durationMs } });
    this.#log.info({ alert: alert.key, id: alert.id, durationMs }, `alert resolved: ${alert.title}`);
    if (alert.severity === 'critical') this.#o.pager?.resolve(resolved);
    await this.#deliverResolved(resolved);
    return this.alerts.get(alert.id) ?? resolved;
  }

  async #deliverOwed(skip: ReadonlySet<number>): Promise<void> {
    for (const alert of this.alerts.undelivered()) {
      if (skip.has(alert.id)) continue;
      if (alert.state === 'firing') await this.#deliverFired(alert);
      else await this.#deliverResolved(alert);
    }
    const now = this.#clock();
    for (const alert of this.alerts.firing()) {
      if (alert.severity !== 'critical' || alert.ackedAt || !alert.messageRef) continue;
      const last = alert.lastReminderAt ?? alert.firedAt;
      if (now.getTime() - last.getTime() < this.#remindMs) continue;
      try {
        await this.#o.notifier.reminder({ ...alert, reminders: alert.reminders + 1 }, alert.messageRef);
        this.alerts.markReminded(alert.id, now);
        this.#o.audit.append({ actor: 'system', event: 'alert.reminded', target: targetOf(alert), details: { id: alert.id, reminder: alert.reminders + 1 } });
      } catch (error) {
        this.#warn(error, alert, 'reminder');
      }
    }
  }

  async #deliverFired(alert: StoredAlert): Promise<void> {
    try {
      const ref = await this.#o.notifier.fired(alert);
      this.alerts.markDelivered(alert.id, ref, this.#clock());
    } catch (error) {
      this.#warn(error, alert, 'fired');
    }
  }

  async #deliverResolved(alert: StoredAlert): Promise<void> {
    // An incident whose message never went out has nothing to update: the audit log holds it.
    if (!alert.messageRef) return this.alerts.markResolveNotified(alert.id, this.#clock());
    try {
      await this.#o.notifier.resolved(alert, alert.messageRef);
      this.alerts.markResolveNotified(alert.id, this.#clock());
    } catch (error) {
      this.#warn(error, alert, 'resolved');
    }
  }

  #warn(error: unknown, alert: AlertView, step: string): void {
    this.#log.error({ err: error, alert: alert.key, id: alert.id, step }, `could not deliver the alert's ${step} message; it stays owed`);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

function targetOf(alert: { key: string; scope: string }): string {
  return alert.scope ? `${alert.key}:${alert.scope}` : alert.key;
}
