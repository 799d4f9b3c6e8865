/**
 * @module bot/metrics-notifier
 * A `Notifier` wrapper that counts what the backup engine reports (size and duration of good
 * backups, failures by kind and step) into the `/metrics` series, and the sources the scrape-time
 * gauges read (catalogue, alert engine, approvals, health job).
 */
import type { AlertEngine } from '../core/alerts/index.js';
import type { ApprovalEngine } from '../core/approvals/index.js';
import type { BackupEngine } from '../core/backup-engine.js';
import type { HealthMonitor } from '../core/health/index.js';
import type { BackupFailure, BackupReport, Notifier, RestoreReport } from '../core/notifier.js';
import { backupFailuresTotal, observeBackup, type MetricSources } from '../metrics/series.js';

export class MetricsNotifier implements Notifier {
  constructor(private readonly inner: Notifier) {}

  backupSucceeded(report: BackupReport): Promise<void> {
    observeBackup(report.kind, report.storedBytes, report.durationMs);
    return this.inner.backupSucceeded(report);
  }

  backupFailed(failure: BackupFailure): Promise<void> {
    backupFailuresTotal.inc({ kind: failure.kind, step: failure.step });
    return this.inner.backupFailed(failure);
  }

  restoreTestFinished(report: RestoreReport, error?: { step: string; reason: string }): Promise<void> {
    return this.inner.restoreTestFinished(report, error);
  }

  info(text: string): Promise<void> {
    return this.inner.info(text);
  }
}

export function metricSourcesFor(s: { backups: BackupEngine; alerts: AlertEngine; approvals: ApprovalEngine; health: HealthMonitor }): MetricSources {
  const seconds = (purpose: 'restore' | 'restore-test' | 'drill'): number | undefined => {
    const last = s.backups.catalogue.lastRestore(purpose);
    return last?.status === 'succeeded' && last.recoveryMs !== null ? last.recoveryMs / 1000 : undefined;
  };
  return {
    lastBackupSuccessAt: () => s.backups.catalogue.lastSuccessAt(),
    restoreTestPassed: () => {
      const last = s.backups.catalogue.lastRestore('restore-test');
      return !last || last.status === 'running' ? undefined : last.status === 'succeeded';
    },
    recoverySeconds: () => {
      const out: Partial<Record<'restore' | 'restore-test' | 'drill', number>> = {};
      for (const kind of ['restore', 'restore-test', 'drill'] as const) {
        const v = seconds(kind);
        if (v !== undefined) out[kind] = v;
      }
      return out;
    },
    checks: () => s.alerts.checks.all().filter((c) => c.state !== 'skip').map((c) => ({ name: c.name, up: c.state === 'pass' })),
    lastRoundAt: () => s.health.lastFinishedAt(),
    alertsFiring: () => s.alerts.firingBySeverity(),
    approvalsPending: () => s.approvals.list({ states: ['pending'] }).length,
  };
}
