/**
 * @module bot/slack-alert-notifier
 * The alert engine's `AlertNotifier` in the ops channel: one message per incident (critical ones
 * mention on-call), reminders and the resolution in its thread, and the message updated in place
 * when it is acknowledged or resolved. Unlike the backup notifier it throws when Slack did not
 * take a message, so the engine keeps that step owed and tries again next round. Every call is
 * bounded (`timeoutMs`, default 12 s): a Slack API that accepts the connection and never answers
 * fails the step instead of holding the alert engine — and with it every health round, every
 * Acknowledge and every backup-failure page — for ever.
 */
import type { webApi } from '@slack/bolt';
import type { AlertMessageRef, AlertNotifier, AlertView } from '../core/alerts/index.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { oncallMention, renderAlert, renderAlertNote, renderReminder, renderResolvedNote } from './blocks/alert-message.js';
import type { SlackMessage } from './blocks/kit.js';
import { summariseSlackError } from './slack-errors.js';

export interface SlackAlertNotifierOptions {
  client: webApi.WebClient;
  /** SLACK_OPS_CHANNEL. */
  channel: string;
  /** SLACK_ONCALL_GROUP; unset → `<!here>`. */
  oncallGroup?: string;
  logger: Logger;
  clock?: Clock;
  /** Bound on each Slack call, retries included; default `ALERT_SLACK_TIMEOUT_MS` (12 s). */
  timeoutMs?: number;
}

export const ALERT_SLACK_TIMEOUT_MS = 12_000;

/**
 * The alert path's own Web API client: each request bounded, no waiting out a long Retry-After
 * (a 429 fails the step, which stays owed for the next round), at most one quick retry.
 */
export function alertWebClientOptions(base: webApi.WebClientOptions = {}, timeoutMs = ALERT_SLACK_TIMEOUT_MS): webApi.WebClientOptions {
  return { ...base, timeout: timeoutMs, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } };
}

export class SlackAlertNotifier implements AlertNotifier {
  readonly #o: SlackAlertNotifierOptions;
  readonly #oncall: string;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(o: SlackAlertNotifierOptions) {
    this.#o = o;
    this.#oncall = oncallMention(o.oncallGroup);
    this.#clock = o.clock ?? systemClock;
    this.#log = o.logger.child({ component: 'slack-alerts' });
  }

  async fired(alert: AlertView): Promise<AlertMessageRef> {
    const posted = await this.#call('post', () =>
      this.#o.client.chat.postMessage({ channel: this.#o.channel, ...renderAlert(alert, this.#oncall), unfurl_links: false, unfurl_media: false }),
    );
    const ts = typeof posted.ts === 'string' ? posted.ts : '';
    return { channel: typeof posted.channel === 'string' ? posted.channel : this.#o.channel, ts };
  }

  async reminder(alert: AlertView, ref: AlertMessageRef): Promise<void> {
    await this.#reply(ref, renderReminder(alert, this.#oncall, this.#clock()));
  }

  async acknowledged(alert: AlertView, ref: AlertMessageRef): Promise<void> {
    await this.#update(ref, renderAlert(alert, this.#oncall));
  }

  async resolved(alert: AlertView, ref: AlertMessageRef): Promise<void> {
    // The thread line is what people are told; the parent's update is the record. Post first.
    await this.#reply(ref, renderResolvedNote(alert));
    await this.#update(ref, renderAlert(alert, this.#oncall)).catch(() => undefined);
  }

  async note(_alert: AlertView, ref: AlertMessageRef, text: string): Promise<void> {
    await this.#reply(ref, renderAlertNote(text));
  }

  async #reply(ref: AlertMessageRef, message: SlackMessage): Promise<void> {
    await this.#call('reply', () => this.#o.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, ...message, unfurl_links: false, unfurl_media: false }));
  }

  async #update(ref: AlertMessageRef, message: SlackMessage): Promise<void> {
    await this.#call('update', () => this.#o.client.chat.update({ channel: ref.channel, ts: ref.ts, ...message }));
  }

  async #call<T>(what: string, send: () => Promise<T>): Promise<T> {
    const timeoutMs = this.#o.timeoutMs ?? ALERT_SLACK_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`Slack did not answer within ${timeoutMs} ms`), { code: 'alert_slack_timeout' })), timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([send(), deadline]);
    } catch (error) {
      const { code, detail } = summariseSlackError(error);
      this.#log.error({ code, detail, step: what }, `could not ${what} an alert message in the ops channel (${detail})`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
