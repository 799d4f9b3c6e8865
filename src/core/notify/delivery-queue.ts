/**
 * @module notify/delivery-queue
 * Paging never holds up work (issue 7 item 3). `DeliveryQueue` wraps any `Notifier` (the Slack one
 * in the bot): each call returns at once and the notification is delivered in the background with
 * a bounded retry — at most `maxAttempts` tries within `maxTotalMs`, backing off from
 * `firstDelayMs` up to `maxDelayMs` (or the server's own Retry-After) — so a Slack outage never
 * delays the backup queue, the next backup or a restore's safety snapshot.
 *
 * A notification that still fails (or is refused for good, or is pending when the bot stops) is
 * recorded as undelivered: in memory, and best-effort in SQLite (`undelivered_notifications`,
 * migration 008), so `/vault status` and `/metrics` show it. After the next successful delivery,
 * one info line in the ops channel lists what was lost while Slack was away.
 *
 * The wrapped notifier must throw when a delivery fails (the Slack notifier does); this class
 * decides about retries. Only plain summaries are stored, and notifications carry no secrets.
 *
 * Adding a method: when `Notifier` gains `foo(x: X): Promise<void>`, add one line here,
 * `foo(...args: Parameters<Notifier['foo']>) { return this.deliver('foo', args); }`, and, if the
 * default summary (kind, step, key, target, reason fields of the first argument) does not say
 * enough, a case in `summarise`. Methods whose caller needs the answer (e.g. a message reference
 * to update later) cannot be fire-and-forget: call the inner notifier for those.
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Database } from '../db/index.js';
import type { Logger } from '../logger.js';
import type { Notifier } from '../notifier.js';

export type NotifierMethod = {
  [K in keyof Notifier]: Notifier[K] extends (...args: never[]) => Promise<void> ? K : never;
}[keyof Notifier];

export interface DeliveryOptions {
  logger: Logger;
  /** Where undelivered notifications are recorded, best-effort (migration 008). */
  db?: Database;
  clock?: Clock;
  /** Tries per notification, the first included; default 8. */
  maxAttempts?: number;
  /** Give up this long after the first try; default 10 minutes. */
  maxTotalMs?: number;
  /** Wait before the second try, doubled each time; default 2 s. */
  firstDelayMs?: number;
  /** Longest wait between tries; default 2 minutes. */
  maxDelayMs?: number;
  /** How long the server asked us to wait (e.g. Slack's Retry-After), from the error. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** True for an error that will not go away by retrying (e.g. `channel_not_found`). */
  isPermanent?: (error: unknown) => boolean;
  /** A short, safe description of the error for the record. */
  describeError?: (error: unknown) => string;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Deliver one at a time, in call order (e.g. an alert raised must be posted before it is cleared). */
  ordered?: boolean;
}

export interface UndeliveredNotification {
  method: string;
  summary: string;
  attempts: number;
  firstAt: string;
  failedAt: string;
  lastError: string;
}

const DEFAULTS = { maxAttempts: 8, maxTotalMs: 10 * 60_000, firstDelayMs: 2000, maxDelayMs: 120_000 };
/** How many undelivered notifications are kept in memory (the database keeps all). */
const MEMORY_LIMIT = 100;

export class DeliveryQueue implements Notifier {
  readonly #inner: Notifier;
  readonly #o: DeliveryOptions;
  readonly #clock: Clock;
  readonly #pending = new Set<Promise<void>>();
  readonly #stopping = new AbortController();
  readonly #memory: UndeliveredNotification[] = [];
  #unreported = 0;
  #reporting = false;
  #tail: Promise<void> = Promise.resolve();

  constructor(inner: Notifier, options: DeliveryOptions) {
    this.#inner = inner;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#unreported = this.#countUnreported();
  }

  backupSucceeded(...args: Parameters<Notifier['backupSucceeded']>): Promise<void> {
    return this.deliver('backupSucceeded', args);
  }

  backupFailed(...args: Parameters<Notifier['backupFailed']>): Promise<void> {
    return this.deliver('backupFailed', args);
  }

  restoreTestFinished(...args: Parameters<Notifier['restoreTestFinished']>): Promise<void> {
    return this.deliver('restoreTestFinished', args);
  }

  info(...args: Parameters<Notifier['info']>): Promise<void> {
    return this.deliver('info', args);
  }

  /** Queues one call of the inner notifier and resolves at once; never rejects. */
  deliver<K extends NotifierMethod>(method: K, args: Parameters<Notifier[K]>): Promise<void> {
    const attempt = (): Promise<void> =>
      this.#attempt(method, args).catch((error: unknown) => this.#o.logger.error({ err: error, method }, 'notification delivery crashed'));
    const run = this.#o.ordered ? (this.#tail = this.#tail.then(attempt)) : attempt();
    this.#pending.add(run);
    void run.finally(() => this.#pending.delete(run));
    return Promise.resolve();
  }

  /** Resolves once every notification queued so far was delivered or given up on. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Notifications still being tried. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Given up on and not yet summarised in the ops channel (from the database when it answers). */
  get undeliveredCount(): number {
    return this.#unreported;
  }

  /** The newest undelivered notifications, newest first, for `/vault status`. */
  undelivered(limit = 5): UndeliveredNotification[] {
    const rows = this.#readUnreported(limit);
    return rows ?? this.#memory.filter((n) => !('reported' in n)).slice(-limit).reverse();
  }

  /**
   * Stops retrying: waits up to `graceMs` for deliveries in flight, then records whatever is left
   * as undelivered (the bot is stopping; nothing is lost silently).
   */
  async stop(graceMs = 2000): Promise<void> {
    const all = Promise.all([...this.#pending]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.#stopping.abort();
    await all;
  }

  async #attempt<K extends NotifierMethod>(method: K, args: Parameters<Notifier[K]>): Promise<void> {
    const o = { ...DEFAULTS, ...this.#o };
    const started = this.#clock().getTime();
    let delay = o.firstDelayMs;
    let attempts = 0;
    let lastError: unknown;
    const call = this.#inner[method] as (...a: Parameters<Notifier[K]>) => Promise<void>;
    for (;;) {
      attempts += 1;
      try {
        await call.apply(this.#inner, args);
        if (attempts > 1) this.#o.logger.info({ method, attempts }, 'notification delivered after retrying');
        this.#afterSuccess(method);
        return;
      } catch (error) {
        lastError = error;
      }
      const elapsed = this.#clock().getTime() - started;
      const wait = Math.min(Math.max(delay, this.#o.retryAfterMs?.(lastError) ?? 0), o.maxDelayMs);
      const permanent = this.#o.isPermanent?.(lastError) ?? false;
      if (permanent || attempts >= o.maxAttempts || elapsed + wait > o.maxTotalMs || this.#stopping.signal.aborted) break;
      this.#o.logger.warn({ method, attempts, retryInMs: wait, error: this.#describe(lastError) }, 'notification not delivered; retrying');
      const slept = await (this.#o.sleep ?? abortableSleep)(wait, this.#stopping.signal).then(
        () => true,
        () => false,
      );
      if (!slept) {
        lastError = new Error(`the bot stopped while retrying (last error: ${this.#describe(lastError)})`);
        break;
      }
      delay *= 2;
    }
    this.#record({
      method,
      summary: summarise(method, args),
      attempts,
      firstAt: new Date(started).toISOString(),
      failedAt: this.#clock().toISOString(),
      lastError: this.#describe(lastError),
    });
  }

  #record(n: UndeliveredNotification): void {
    this.#o.logger.error({ method: n.method, attempts: n.attempts, error: n.lastError }, `notification undelivered: ${n.summary}`);
    this.#memory.push(n);
    if (this.#memory.length > MEMORY_LIMIT) this.#memory.shift();
    try {
      this.#o.db
        ?.prepare(`INSERT INTO undelivered_notifications (method, summary, attempts, first_at, failed_at, last_error) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(n.method, n.summary, n.attempts, n.firstAt, n.failedAt, n.lastError);
    } catch (error) {
      // Best-effort: the database may be the very thing that is failing; memory still has it.
      this.#o.logger.warn({ err: error }, 'could not record an undelivered notification in the database');
    }
    this.#unreported += 1;
  }

  /** Slack answers again: tell the ops channel, once, what it missed. */
  #afterSuccess(method: string): void {
    if (this.#unreported === 0 || this.#reporting || method === 'info') return;
    this.#reporting = true;
    const lost = this.undelivered(10);
    const count = this.#unreported;
    const lines = lost.map((n) => `${n.failedAt.slice(0, 16).replace('T', ' ')} UTC ${n.summary}`).join('; ');
    const text = `${count} notification${count === 1 ? '' : 's'} could not be delivered while Slack was unreachable: ${lines}${count > lost.length ? '; …' : ''}. Details are in the bot log.`;
    void this.#inner
      .info(text)
      .then(() => this.#markReported())
      .catch((error: unknown) => this.#o.logger.warn({ error: this.#describe(error) }, 'could not report undelivered notifications yet'))
      .finally(() => {
        this.#reporting = false;
      });
  }

  #markReported(): void {
    const now = this.#clock().toISOString();
    for (const n of this.#memory) Object.assign(n, { reported: now });
    this.#memory.length = 0;
    try {
      this.#o.db?.prepare(`UPDATE undelivered_notifications SET reported_at = ? WHERE reported_at IS NULL`).run(now);
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'could not mark undelivered notifications as reported');
    }
    this.#unreported = 0;
  }

  #countUnreported(): number {
    try {
      const row = this.#o.db?.prepare(`SELECT count(*) AS n FROM undelivered_notifications WHERE reported_at IS NULL`).get() as { n: number } | undefined;
      return row?.n ?? 0;
    } catch {
      return 0;
    }
  }

  #readUnreported(limit: number): UndeliveredNotification[] | undefined {
    if (!this.#o.db) return undefined;
    try {
      const rows = this.#o.db
        .prepare(`SELECT method, summary, attempts, first_at, failed_at, last_error FROM undelivered_notifications WHERE reported_at IS NULL ORDER BY id DESC LIMIT ?`)
        .all(limit) as Array<{ method: string; summary: string; attempts: number; first_at: string; failed_at: string; last_error: string }>;
      return rows.map((r) => ({ method: r.method, summary: r.summary, attempts: r.attempts, firstAt: r.first_at, failedAt: r.failed_at, lastError: r.last_error }));
    } catch {
      return undefined;
    }
  }

  #describe(error: unknown): string {
    if (this.#o.describeError) return this.#o.describeError(error);
    return error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
  }
}

/** A plain one-line description of a notification, from the usual fields of its first argument. */
export function summarise(method: string, args: readonly unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return `${method}: ${first.slice(0, 200)}`;
  if (typeof first !== 'object' || first === null) return method;
  const f = first as Record<string, unknown>;
  const pick = (name: string) => (typeof f[name] === 'string' && f[name] ? `${name} ${String(f[name]).slice(0, 200)}` : undefined);
  const error = args[1] as { step?: unknown } | undefined;
  const parts = [pick('kind'), pick('target'), pick('step'), pick('key'), pick('reason'), typeof error?.step === 'string' ? `failed at ${error.step}` : undefined].filter(Boolean);
  return `${method}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
