/**
 * @module alerts/alerting-notifier
 * A `Notifier` wrapper that routes backup and restore-test failures through the alert lifecycle
 * (a failed restore test raises `restore_test_failed`, the next passing one clears it). A failed backup
 * raises `backup_failed` for its kind (critical: one message that pages on-call, reminders until
 * acknowledged), a second failure of the same kind is a note on that incident, and the next
 * successful backup of the kind resolves it. Everything else passes through to the wrapped
 * notifier, so the backup engine is unchanged.
 */
import type { Logger } from '../logger.js';
import type { BackupFailure, BackupKind, BackupReport, Notifier, RestoreReport } from '../notifier.js';
import type { AlertEngine } from './engine.js';

export class AlertingNotifier implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly engine: Pick<AlertEngine, 'raise' | 'clear'>,
    private readonly logger: Logger,
  ) {}

  async backupSucceeded(report: BackupReport): Promise<void> {
    await this.inner.backupSucceeded(report);
    // Daily and monthly are jobs of their own: only their next success clears them. Manual and
    // pre-restore backups are one-offs that may never run again, so any good backup clears them.
    const kinds = new Set<BackupKind>([report.kind, 'manual', 'pre-restore']);
    for (const kind of kinds) {
      await this.engine.clear('backup_failed', kind).catch((error: unknown) => this.logger.error({ err: error }, 'could not resolve the backup_failed alert'));
    }
  }

  async backupFailed(f: BackupFailure): Promise<void> {
    const where = f.key ? ` Nothing was kept under ${f.key}.` : '';
    const detail = `The ${f.kind} backup failed at step ${f.step}: ${sentence(f.reason)}${where}`;
    try {
      await this.engine.raise('backup_failed', f.kind, detail);
    } catch (error) {
      // The alert path itself failed (e.g. the database): page the old way rather than not at all.
      this.logger.error({ err: error }, 'could not raise the backup_failed alert; paging through the notifier');
      await this.inner.backupFailed(f);
    }
  }

  /**
   * A failed restore test raises `restore_test_failed` (high: one message, no on-call mention, as
   * DESIGN §8 ranks it) at once instead of waiting for the health rounds; a passing one is announced
   * and clears it.
   */
  async restoreTestFinished(report: RestoreReport, error?: { step: string; reason: string }): Promise<void> {
    if (!error) {
      await this.inner.restoreTestFinished(report);
      await this.engine.clear('restore_test_failed', '').catch((e: unknown) => this.logger.error({ err: e }, 'could not resolve the restore_test_failed alert'));
      return;
    }
    const detail = `The restore test of ${report.key} into ${report.target} failed at step ${error.step}: ${sentence(error.reason)}`;
    try {
      await this.engine.raise('restore_test_failed', '', detail);
    } catch (e) {
      this.logger.error({ err: e }, 'could not raise the restore_test_failed alert; reporting through the notifier');
      await this.inner.restoreTestFinished(report, error);
    }
  }

  info(text: string): Promise<void> {
    return this.inner.info(text);
  }
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
