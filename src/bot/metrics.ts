/**
 * @module bot/metrics
 * The bot's own Prometheus series, on prom-client's default registry (served at `/metrics` with the
 * process defaults). Registered once per process: tests start several apps in one process.
 */
import { collectDefaultMetrics, Counter, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  const existing = register.getSingleMetric(name);
  return (existing as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

export const commandsTotal = counter('vault_chatops_slash_commands_total', 'Slash commands received, by subcommand.', ['subcommand']);
export const clicksTotal = counter('vault_chatops_approval_clicks_total', 'Approval button clicks, by button.', ['button']);

let defaultsStarted = false;

/** Process metrics (CPU, memory, event loop lag) once per process. */
export function startDefaultMetrics(): void {
  if (defaultsStarted || register.getSingleMetric('process_cpu_user_seconds_total')) return;
  defaultsStarted = true;
  collectDefaultMetrics();
}
