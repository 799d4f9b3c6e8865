/**
 * @module bot/metrics
 * The bot's own Prometheus series, on prom-client's default registry (served at `/metrics` with the
 * process defaults). Registered once per process: tests start several apps in one process.
 */
import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';
import { once } from '../metrics/series.js';

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return once(name, () => new Counter({ name, help, labelNames }));
}

export const commandsTotal = counter('vault_chatops_slash_commands_total', 'Slash commands received, by subcommand.', ['subcommand']);
export const clicksTotal = counter('vault_chatops_approval_clicks_total', 'Approval button clicks, by button.', ['button']);

/** What the notification gauges read: the running bot's delivery queue (the newest one, in tests). */
let notifications: { pending: number; undeliveredCount: number } | undefined;

function gauge(name: string, help: string, read: () => number): void {
  once(name, () => new Gauge({ name, help, collect() { this.set(read()); } }));
}

/** Issue 7 item 3: ops-channel notifications being retried, and given up on (not yet reported in Slack). */
export function watchNotifications(source: { pending: number; undeliveredCount: number }): void {
  notifications = source;
  gauge('vault_chatops_notifications_pending', 'Ops-channel notifications being retried in the background.', () => notifications?.pending ?? 0);
  gauge('vault_chatops_notifications_undelivered', 'Ops-channel notifications that could not be delivered and are not yet reported in Slack.', () => notifications?.undeliveredCount ?? 0);
}

let defaultsStarted = false;

/** Process metrics (CPU, memory, event loop lag) once per process. */
export function startDefaultMetrics(): void {
  if (defaultsStarted || register.getSingleMetric('process_cpu_user_seconds_total')) return;
  defaultsStarted = true;
  collectDefaultMetrics();
}
