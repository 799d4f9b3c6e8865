/**
 * @module pagerduty/events-client
 * PagerDuty Events API v2 (reference/pagerduty-api.md): alert events to `PAGERDUTY_EVENTS_URL`,
 * change events to `/v2/change/enqueue` on the same origin. `send` only queues and returns, so no
 * caller — above all the Slack message — ever waits for PagerDuty. Events go out one at a time in
 * the order queued (a resolve never overtakes its trigger). 429, 5xx and network failures are
 * retried with backoff (PagerDuty suggests a few retries tens of seconds apart); a 400 means the
 * event itself is wrong, so it is logged and dropped.
 */
import type { Logger } from '../logger.js';

export type EventAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface AlertEventBody {
  event_action: EventAction;
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
}

export interface ChangeEventBody {
  payload: { summary: string; source?: string; timestamp: string; custom_details?: Record<string, unknown> };
}

export interface PagerDutyClientOptions {
  routingKey: string;
  /** PAGERDUTY_EVENTS_URL, e.g. `https://events.pagerduty.com/v2/enqueue`. */
  eventsUrl: string;
  logger: Logger;
  /** Waits before each retry; default 10 s, 30 s, 60 s (then the event is dropped and logged). */
  retryDelaysMs?: readonly number[];
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
}

type Queued = ({ kind: 'alert'; body: AlertEventBody } | { kind: 'change'; body: ChangeEventBody }) & { done: (settled: boolean) => void };

const DEFAULT_RETRY_DELAYS_MS = [10_000, 30_000, 60_000];

export class PagerDutyClient {
  readonly #o: PagerDutyClientOptions;
  readonly #log: Logger;
  readonly #changeUrl: string;
  readonly #queue: Queued[] = [];
  #draining: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(o: PagerDutyClientOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'pagerduty' });
    this.#changeUrl = new URL('/v2/change/enqueue', o.eventsUrl).toString();
  }

  /**
   * Queues an alert event (trigger, acknowledge, resolve); never throws. The promise settles true
   * when PagerDuty took it or refused it for good (400: re-sending cannot help), false when it was
   * given up after the retries or at stop — the caller keeps it owed and sends it again later.
   */
  sendAlert(body: AlertEventBody): Promise<boolean> {
    return new Promise((done) => this.#push({ kind: 'alert', body, done }));
  }

  /** Queues a change event; never waits, never throws. */
  sendChange(body: ChangeEventBody): void {
    this.#push({ kind: 'change', body, done: () => undefined });
  }

  /** Resolves once everything queued so far was sent or given up (tests, stop). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Stops retrying; what is still queued is logged as not sent. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  #push(item: Queued): void {
    if (this.#stopped) return item.done(false);
    this.#queue.push(item);
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  async #drain(): Promise<void> {
    for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
      item.done(await this.#deliver(item));
    }
  }

  async #deliver(item: Queued): Promise<boolean> {
    const delays = this.#o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const what = item.kind === 'alert' ? `${item.body.event_action} ${item.body.dedup_key}` : 'change event';
    for (let attempt = 0; ; attempt += 1) {
      if (this.#stopped) {
        this.#log.warn({ event: what }, 'PagerDuty event not sent: the bot is stopping');
        return false;
      }
      const outcome = await this.#post(item);
      if (outcome.ok) {
        this.#log.debug({ event: what, attempt }, 'PagerDuty accepted the event');
        return true;
      }
      if (!outcome.retry) {
        this.#log.error({ event: what, status: outcome.status, detail: outcome.detail }, `PagerDuty refused the event (${outcome.detail}); it is not retried`);
        return true;
      }
      const delay = delays[attempt];
      if (delay === undefined) {
        this.#log.error({ event: what, attempts: attempt + 1, detail: outcome.detail }, `PagerDuty did not take the event after ${attempt + 1} attempts (${outcome.detail}); giving up for now`);
        return false;
      }
      this.#log.warn({ event: what, attempt: attempt + 1, retryInMs: delay, detail: outcome.detail }, `PagerDuty did not take the event (${outcome.detail}); retrying`);
      await this.#sleep(delay);
    }
  }

  async #post(item: Queued): Promise<{ ok: true } | { ok: false; retry: boolean; status?: number; detail: string }> {
    const url = item.kind === 'alert' ? this.#o.eventsUrl : this.#changeUrl;
    const body = JSON.stringify({ routing_key: this.#o.routingKey, ...item.body });
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
      });
      const text = await res.text().catch(() => '');
      if (res.status >= 200 && res.status < 300) return { ok: true };
      const detail = `HTTP ${res.status}${errorsOf(text)}`;
      return { ok: false, retry: res.status === 429 || res.status >= 500, status: res.status, detail };
    } catch (error) {
      // The routing key is in the body, never in an error message; name only the failure.
      const name = error instanceof Error ? (error.name === 'TimeoutError' ? 'timed out' : (error.cause as { code?: string } | undefined)?.code ?? error.name) : 'network error';
      return { ok: false, retry: true, detail: `network: ${name}` };
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

function errorsOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e): e is string => typeof e === 'string') : [];
    const message = typeof parsed.message === 'string' ? parsed.message : '';
    const all = [message, ...errors].filter(Boolean).join('; ').slice(0, 300);
    return all ? `: ${all}` : '';
  } catch {
    return '';
  }
}
