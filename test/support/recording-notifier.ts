/**
 * A Notifier that remembers what it was told, for tests that assert what on-call would have seen.
 * It implements the core's public Notifier interface; nothing of ours is replaced.
 */
import type { BackupFailure, BackupReport, Notifier, RestoreReport } from '../../src/core/notifier.js';

export class RecordingNotifier implements Notifier {
  readonly successes: BackupReport[] = [];
  readonly pages: BackupFailure[] = [];
  readonly restoreTests: Array<{ report: RestoreReport; error?: { step: string; reason: string } }> = [];
  readonly infos: string[] = [];

  async backupSucceeded(report: BackupReport): Promise<void> {
    this.successes.push(report);
  }
  async backupFailed(failure: BackupFailure): Promise<void> {
    this.pages.push(failure);
  }
  async restoreTestFinished(report: RestoreReport, error?: { step: string; reason: string }): Promise<void> {
    this.restoreTests.push({ report, ...(error ? { error } : {}) });
  }
  async info(text: string): Promise<void> {
    this.infos.push(text);
  }
}
