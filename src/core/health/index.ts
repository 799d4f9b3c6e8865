/** @module health The health checks of DESIGN §8 and the job that runs them. */
export { runHealthRound, failing, CHECK_ORDER, DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_LATENCY_WARN_MS } from './run-round.js';
export { HealthMonitor, type HealthMonitorOptions } from './monitor.js';
export type * from './types.js';
