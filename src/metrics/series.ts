/**
 * @module metrics/series
 * The Prometheus series of DESIGN §8 on prom-client's default registry (served at `/metrics`).
 * A leaf: it imports nothing of ours, so the core, the bot and the deploy tests may all use it.
 * Gauges read their values at scrape time from sources the running bot binds (`bindMetricSources`),
 * so they are right after a restart without replaying history; registered once per process,
 * because tests start several bots in one process (the newest binding wins).
 */
import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

export const SERIES = {
  lastBackupSuccess: 'vault_chatops_last_backup_success_timestamp_seconds',
  backupDuration: 'vault_chatops_backup_duration_seconds',
  backupSize: 'vault_chatops_backup_size_bytes',
  backupFailures: 'vault_chatops_backup_failures_total',
  restoreTestSuccess: 'vault_chatops_restore_test_success',
  recoverySeconds: 'vault_chatops_recovery_seconds',
  healthCheckUp: 'vault_chatops_health_check_up',
  healthRoundTimestamp: 'vault_chatops_health_round_timestamp_seconds',
  alertsFiring: 'vault_chatops_alerts_firing',
  approvalsPending: 'vault_chatops_approvals_pending',
} as const;

/** Every series name this module exports (a histogram adds `_bucket`, `_sum`, `_count`). */
export const EXPORTED_SERIES: readonly string[] = Object.values(SERIES);

export interface MetricSources {
  /** Newest successful backup (catalogue). */
  lastBackupSuccessAt(): Date | undefined;
  /** Last restore test: true passed, false failed, undefined never ran. */
  restoreTestPassed(): boolean | undefined;
  /** Seconds of the last completed recovery, by kind: restore, restore-test, drill. */
  recoverySeconds(): Partial<Record<'restore' | 'restore-test' | 'drill', number>>;
  /** Each check's last state: 1 pass, 0 fail; skipped checks are left out. */
  checks(): Array<{ name: string; up: boolean }>;
  lastRoundAt(): Date | undefined;
  alertsFiring(): Record<string, number>;
  approvalsPending(): number;
}

let sources: MetricSources | undefined;

/** The running bot's sources; the newest call wins. */
export function bindMetricSources(s: MetricSources | undefined): void {
  sources = s;
  registerGauges();
}

/** The metric already registered under `name` (tests start several bots in one process), else `make()`'s. */
export function once<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** The backup kinds and the steps a backup fails at (core's BackupKind and BackupStep; this module is a leaf). */
export const BACKUP_FAILURE_KINDS = ['daily', 'monthly', 'manual', 'pre-restore'] as const;
export const BACKUP_FAILURE_STEPS = ['start', 'snapshot', 'validate', 'encrypt', 'upload', 'verify', 'catalogue'] as const;

/**
 * Counted as failures happen (a process restart starts again at 0, as Prometheus expects). Every
 * kind×step series exists from start-up at 0: a series born at 1 has no increase, so
 * `increase(…[1h]) > 0` would miss exactly the first failure.
 */
export const backupFailuresTotal = once(SERIES.backupFailures, () => {
  const counter = new Counter({ name: SERIES.backupFailures, help: 'Backups that failed, by kind and step.', labelNames: ['kind', 'step'] });
  for (const kind of BACKUP_FAILURE_KINDS) for (const step of BACKUP_FAILURE_STEPS) counter.inc({ kind, step }, 0);
  return counter;
});

export const backupDurationSeconds = once(SERIES.backupDuration, () =>
  new Histogram({
    name: SERIES.backupDuration, help: 'Duration of successful backups, by kind.', labelNames: ['kind'],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 3600],
  }),
);

export const backupSizeBytes = once(SERIES.backupSize, () =>
  new Gauge({ name: SERIES.backupSize, help: 'Stored size of the newest successful backup, by kind.', labelNames: ['kind'] }),
);

/** Records a successful backup's size and duration. */
export function observeBackup(kind: string, storedBytes: number, durationMs: number): void {
  backupSizeBytes.set({ kind }, storedBytes);
  backupDurationSeconds.observe({ kind }, durationMs / 1000);
}

function registerGauges(): void {
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge<string>) => void): void => {
    once(name, () => new Gauge({ name, help, labelNames, collect() { this.reset(); if (sources) collect(this); } }));
  };
  gauge(SERIES.lastBackupSuccess, 'Unix time of the newest successful backup (0 when there is none).', [], (g) => {
    g.set((sources?.lastBackupSuccessAt()?.getTime() ?? 0) / 1000);
  });
  gauge(SERIES.restoreTestSuccess, 'Whether the last restore test passed (1) or failed (0); absent before the first.', [], (g) => {
    const passed = sources?.restoreTestPassed();
    if (passed !== undefined) g.set(passed ? 1 : 0);
  });
  gauge(SERIES.recoverySeconds, 'Duration of the last completed recovery, by kind (restore, restore-test, drill).', ['kind'], (g) => {
    for (const [kind, seconds] of Object.entries(sources?.recoverySeconds() ?? {})) if (seconds !== undefined) g.set({ kind }, seconds);
  });
  gauge(SERIES.healthCheckUp, 'Each health check at the last round: 1 passing, 0 failing (skipped checks absent).', ['check'], (g) => {
    for (const c of sources?.checks() ?? []) g.set({ check: c.name }, c.up ? 1 : 0);
  });
  gauge(SERIES.healthRoundTimestamp, 'Unix time the last health round finished (stale means the scheduler stalled).', [], (g) => {
    const at = sources?.lastRoundAt();
    if (at) g.set(at.getTime() / 1000);
  });
  gauge(SERIES.alertsFiring, 'Alerts firing now, by severity.', ['severity'], (g) => {
    for (const [severity, n] of Object.entries(sources?.alertsFiring() ?? {})) g.set({ severity }, n);
  });
  gauge(SERIES.approvalsPending, 'Approval requests waiting for approvals.', [], (g) => {
    g.set(sources?.approvalsPending() ?? 0);
  });
}
