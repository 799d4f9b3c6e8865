/**
 * @module alerts/alerting-notifier
 * A `Notifier` wrapper that routes backup and restore-test failures through the alert lifecycle
 * (a failed restore test raises `restore_test_failed`, the next passing one clears it). A failed backup
 * raises `backup_failed` for its kind (critical: one message that pages on-call, reminders until
 * acknowledged), a second failure of the same kind is a note on that incident, and the next
 * successful backup of any kind resolves it (it proves backups work again; the resolution says
 * which backup). Everything else passes through to the wrapped notifier, so the backup engine is
 * unchanged. A restore test that failed before it could start (no latest backup to resolve) is
 * recorded as a failed restore test in the catalogue, so the health check and the
 * `vault_chatops_restore_test_success` metric do not keep reading last week's pass (and the health
 * rounds do not clear the alert again).
 */
import type { Logger } from '../logger.js';
import type { BackupCatalogue } from '../backup/catalogue.js';
import type { BackupFailure, BackupKind, BackupReport, Notifier, RestoreReport } from '../notifier.js';
import type { AlertEngine } from './engine.js';

/** Where a restore test that never started is recorded; bound late (the catalogue is built after the notifier). */
export type RestoreTestRecord = () => Pick<BackupCatalogue, 'startRestore' | 'finishRestore'> | undefined;

const BACKUP_KINDS: readonly BackupKind[] = ['daily', 'monthly', 'manual', 'pre-restore'];

export class AlertingNotifier implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly engine: Pick<AlertEngine, 'raise' | 'clear'>,
    private readonly logger: Logger,
    private readonly restoreTests?: RestoreTestRecord,
  ) {}

  async backupSucceeded(report: BackupReport): Promise<void> {
    await this.inner.backupSucceeded(report);
    // Any good backup proves backups work again: waiting for the next monthly one would page on a
    // fixed problem for weeks. The resolution names the backup that cleared it.
    for (const kind of BACKUP_KINDS) {
      await this.engine
        .clear('backup_failed', kind, `Cleared by the successful ${report.kind} backup ${report.key}.`)
        .catch((error: unknown) => this.logger.error({ err: error }, 'could not resolve the backup_failed alert'));
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
    if (error.step === 'plan') this.#recordUnstarted(report, error.reason);
    try {
      await this.engine.raise('restore_test_failed', '', detail);
    } catch (e) {
      this.logger.error({ err: e }, 'could not raise the restore_test_failed alert; reporting through the notifier');
      await this.inner.restoreTestFinished(report, error);
    }
  }

  /** A restore that never started left no row behind; without one the last (passing) test would still count. */
  #recordUnstarted(report: RestoreReport, reason: string): void {
    try {
      const catalogue = this.restoreTests?.();
      if (!catalogue) return;
      const id = catalogue.startRestore({ key: report.key, target: report.target, purpose: 'restore-test', dryRun: false, owner: 'restore-test-plan' });
      catalogue.finishRestore(id, { status: 'failed', step: 'plan', error: reason });
    } catch (e) {
      this.logger.error({ err: e }, 'could not record the failed restore test');
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
