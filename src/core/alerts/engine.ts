/**
 * @module alerts/engine
 * The alert lifecycle of DESIGN §8, Slack-free. A health round's results go in; incidents come
 * out, each exactly once:
 *
 * - **fire**: after `afterFailures` consecutive failed rounds of a check (`vault_sealed`: the first);
 *   one row, one message, audited; a critical one is also handed to the pager.
 * - **remind**: a critical, unacknowledged incident is repeated in its thread every `remindMinutes`.
 * - **acknowledge**: by an authorised user (the approver directory decides), shown and audited.
 * - **resolve**: after `clearAfterPasses` consecutive passing rounds (default `afterFailures`, and
 *   never fewer than 2, so with ALERT_AFTER_FAILURES=1 a flapping condition — fail, pass, fail —
 *   stays one incident). The message is updated and "resolved after <duration>" is posted.
 *
 * State lives in SQLite (alerts, health_checks), so a restart neither re-fires nor forgets. A
 * message Slack did not take stays owed and is sent on the next round; an incident that fired and
 * cleared while Slack was down is posted late, labelled so, with its resolution. A round first
 * judges every check (and queues PagerDuty), and only then talks to Slack; after the first Slack
 * failure in a round the rest waits for the next one, so a hung Slack delays no judgement and no page.
 * PagerDuty events are owed on the alert row (migration 017) and re-sent every round until
 * PagerDuty takes them. Each Slack step is claimed in the database first, so two processes on one
 * database do not both post it. All work in one engine is serialised, so a round, a button click
 * and a backup failure never interleave their updates.
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
  /** Consecutive passing rounds before an incident resolves; default `afterFailures`, at least 2. */
  clearAfterPasses?: number;
  /** ALERT_REMIND_MINUTES; default 15. */
  remindMinutes?: number;
  pager?: AlertPager;
  /** Who may acknowledge: the approver directory, asked at click time. Unset: anyone. */
  directory?: ApproverDirectory;
  /** A Slack step claimed by a process that has not finished it after this long may be taken over; default 2 min. */
  claimStaleMs?: number;
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
  readonly #claimStaleMs: number;
  #queue: Promise<unknown> = Promise.resolve();
  /** PagerDuty events in flight (`id:step`), so a slow one is not queued twice. */
  readonly #paging = new Set<string>();

  constructor(o: AlertEngineOptions) {
    this.#o = o;
    this.alerts = new AlertStore(o.db);
    this.checks = new CheckStore(o.db);
    this.#clock = o.clock ?? systemClock;
    this.#log = o.logger.child({ component: 'alerts' });
    this.#afterFailures = Math.max(1, o.afterFailures ?? 2);
    // One passing round is not a recovery: with ALERT_AFTER_FAILURES=1 a flapping check would
    // otherwise become a new incident every other round.
    this.#clearAfter = Math.max(2, o.clearAfterPasses ?? this.#afterFailures);
    this.#claimStaleMs = o.claimStaleMs ?? 120_000;
    this.#remindMs = (o.remindMinutes ?? 15) * 60_000;
  }

  /** Records a round's results, fires and resolves what they call for, then delivers what is owed. */
  observe(round: HealthRound): Promise<void> {
    return this.#serial(async () => {
      const now = this.#clock();
      // Judge everything first: a hung Slack must not hold back another check's firing or page.
      for (const result of round.results) {
        const record = this.checks.record(result, now);
        if (result.alert) this.#judge(result, result.alert, record);
      }
      this.#page();
      await this.#deliverOwed();
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
      const fired = this.#fire(key, scope, detail);
      this.#page();
      await this.#deliverOne(fired, { down: false });
      return this.alerts.get(fired.id) ?? fired;
    });
  }

  /**
   * Resolves at once (e.g. a backup succeeded); nothing happens when none is firing. `why`, when
   * given, is added to the incident's detail, so its updated message says what cleared it.
   */
  clear(key: AlertKey, scope: string, why?: string): Promise<AlertView | undefined> {
    return this.#serial(async () => {
      const firing = this.alerts.firingFor(key, scope);
      if (!firing) return undefined;
      if (why) this.alerts.setDetail(firing.id, `${firing.detail}\n${why}`);
      const resolved = this.#resolve(firing);
      this.#page();
      await this.#deliverOne(resolved, { down: false });
      return this.alerts.get(resolved.id) ?? resolved;
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
      this.#page();
      if (acked.messageRef) await this.#o.notifier.acknowledged(acked, acked.messageRef).catch((e: unknown) => this.#warn(e, acked, 'acknowledged'));
      return { outcome: 'acknowledged', alert: acked } as const;
    });
  }

  /** Posts what Slack did not take before and sends reminders that are due. */
  deliverPending(): Promise<void> {
    return this.#serial(async () => {
      this.#page();
      await this.#deliverOwed();
    });
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

  #judge(result: CheckResult, key: AlertKey, record: CheckRecord): void {
    const firing = this.alerts.firingFor(key, '');
    if (result.state === 'fail') {
      if (firing) {
        if (firing.detail !== result.detail) this.alerts.setDetail(firing.id, result.detail);
        return;
      }
      if (FIRE_AT_ONCE.has(key) || record.failStreak >= this.#afterFailures) this.#fire(key, '', result.detail, result.title);
    } else if (result.state === 'pass' && firing && record.passStreak >= this.#clearAfter) {
      this.#resolve(firing);
    }
  }

  /** Opens the incident (no Slack yet: the caller delivers). */
  #fire(key: AlertKey, scope: string, detail: string, title?: string): StoredAlert {
    const opened = this.alerts.open({ key, scope, severity: SEVERITY[key], detail, at: this.#clock(), ...(title ? { title } : {}) });
    if (!opened) return this.alerts.firingFor(key, scope) as StoredAlert;
    this.#o.audit.append({ actor: 'system', event: 'alert.fired', target: targetOf(opened), details: { id: opened.id, severity: opened.severity, detail } });
    this.#log.warn({ alert: opened.key, scope, id: opened.id }, `alert fired: ${opened.title}`);
    return opened;
  }

  /** Resolves the incident (no Slack yet: the caller delivers). */
  #resolve(alert: StoredAlert): StoredAlert {
    const now = this.#clock();
    if (!this.alerts.resolve(alert.id, now)) return alert;
    const resolved = this.alerts.get(alert.id) as StoredAlert;
    const durationMs = now.getTime() - alert.firedAt.getTime();
    this.#o.audit.append({ actor: 'system', event: 'alert.resolved', target: targetOf(resolved), details: { id: alert.id, severity: alert.severity, durationMs } });
    this.#log.info({ alert: alert.key, id: alert.id, durationMs }, `alert resolved: ${alert.title}`);
    return resolved;
  }

  /**
   * Queues every PagerDuty event still owed (never awaited: the pager never delays Slack). What
   * PagerDuty takes is recorded on the alert; what it does not stays owed for the next call.
   */
  #page(): void {
    const pager = this.#o.pager;
    if (!pager) return;
    for (const { alert, step } of this.alerts.pagerOwed()) {
      const key = `${alert.id}:${step}`;
      if (this.#paging.has(key)) continue;
      this.#paging.add(key);
      const sent = step === 'trigger' ? pager.trigger(alert) : step === 'acknowledge' ? pager.acknowledge(alert) : pager.resolve(alert);
      void sent
        .catch(() => false)
        .then((ok) => {
          this.#paging.delete(key);
          if (!ok) return;
          this.alerts.markPaged(alert.id, step, this.#clock());
          // A resolve or acknowledge that waited for its trigger can go now.
          if (step === 'trigger') this.#page();
        })
        .catch((error: unknown) => this.#log.error({ err: error, alert: alert.key, id: alert.id, step }, 'could not record a PagerDuty event'));
    }
  }

  /** Every owed Slack step; after the first failure the rest waits for the next round. */
  async #deliverOwed(): Promise<void> {
    const slack = { down: false };
    for (const alert of this.alerts.undelivered()) {
      if (slack.down) return;
      await this.#deliverOne(alert, slack);
    }
    const now = this.#clock();
    for (const alert of this.alerts.firing()) {
      if (slack.down) return;
      if (alert.severity !== 'critical' || alert.ackedAt || !alert.messageRef) continue;
      // Counted from when people could first see it: a late first message is not followed at once by "Reminder 1".
      const last = alert.lastReminderAt ?? alert.deliveredAt ?? alert.firedAt;
      if (now.getTime() - last.getTime() < this.#remindMs) continue;
      if (!this.#claim(alert, { reminders: alert.reminders })) continue;
      try {
        await this.#o.notifier.reminder({ ...alert, reminders: alert.reminders + 1 }, alert.messageRef);
        this.alerts.markReminded(alert.id, now);
        this.#o.audit.append({ actor: 'system', event: 'alert.reminded', target: targetOf(alert), details: { id: alert.id, reminder: alert.reminders + 1 } });
      } catch (error) {
        slack.down = true;
        this.#warn(error, alert, 'reminder');
      } finally {
        this.alerts.release(alert.id);
      }
    }
  }

  /** The incident's owed message (fired, or resolved), claimed first so only one process posts it. */
  async #deliverOne(alert: StoredAlert, slack: { down: boolean }): Promise<void> {
    if (alert.state === 'firing' && !alert.deliveredAt) {
      if (!this.#claim(alert, 'fired')) return;
      try {
        await this.#deliverFired(alert, slack);
      } finally {
        this.alerts.release(alert.id);
      }
    } else if (alert.state === 'resolved' && !alert.resolveNotifiedAt) {
      if (!this.#claim(alert, 'resolved')) return;
      try {
        await this.#deliverResolved(alert, slack);
      } finally {
        this.alerts.release(alert.id);
      }
    }
  }

  #claim(alert: StoredAlert, guard: 'fired' | 'resolved' | { reminders: number }): boolean {
    const now = this.#clock();
    return this.alerts.claim(alert.id, now, new Date(now.getTime() - this.#claimStaleMs), guard);
  }

  async #deliverFired(alert: StoredAlert, slack: { down: boolean }): Promise<void> {
    try {
      const ref = await this.#o.notifier.fired(alert);
      this.alerts.markDelivered(alert.id, ref, this.#clock());
    } catch (error) {
      slack.down = true;
      this.#warn(error, alert, 'fired');
    }
  }

  async #deliverResolved(alert: StoredAlert, slack: { down: boolean }): Promise<void> {
    try {
      let ref = alert.messageRef;
      if (!ref) {
        // It fired and cleared while Slack could not be reached: people still hear of it, late and
        // labelled so, as one message (already showing it resolved) with the resolution in its thread.
        ref = await this.#o.notifier.fired({ ...alert, late: true });
        this.alerts.markDelivered(alert.id, ref, this.#clock());
      }
      await this.#o.notifier.resolved(alert, ref);
      this.alerts.markResolveNotified(alert.id, this.#clock());
    } catch (error) {
      slack.down = true;
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
