/**
 * @module notifier
 * How the core tells people what happened. The Slack bot implements it; the CLI prints.
 * Plain facts only: no Slack markup, user IDs are opaque strings.
 */

export type BackupKind = 'daily' | 'monthly' | 'manual' | 'pre-restore';

export interface BackupReport {
  kind: BackupKind;
  key: string;
  store: string;
  storedBytes: number;
  plainBytes: number;
  sha256: string;
  durationMs: number;
  deleted: string[];
}

export interface BackupFailure {
  kind: BackupKind;
  /** The pipeline step that failed: start, snapshot, validate, encrypt, upload, verify, catalogue, retention, or `interrupted`. */
  step: string;
  /** A one-sentence reason, safe to show. */
  reason: string;
  /** The object key that would have been written, if known. */
  key?: string;
  /** The run did not fail by itself: its process died (no heartbeat); found and reported by another run. */
  interrupted?: boolean;
}

export interface RestoreReport {
  key: string;
  target: 'prod' | 'staging';
  safetySnapshotKey?: string;
  recoveryMs: number;
  canary: 'ok' | 'skipped' | 'failed';
  canaryDetail?: string;
  dryRun: boolean;
  note?: string;
  /**
   * Set when Vault got the whole snapshot but did not answer in time: what was then established
   * (`applied` with the evidence, or still `unknown`).
   */
  outcome?: { answered: false; established: 'applied' | 'unknown'; evidence: string };
}

export interface Notifier {
  backupSucceeded(report: BackupReport): Promise<void>;
  /** A failed backup pages on-call. */
  backupFailed(failure: BackupFailure): Promise<void>;
  restoreTestFinished(report: RestoreReport, error?: { step: string; reason: string }): Promise<void>;
  /** Anything else worth a line in the ops channel. */
  info(text: string): Promise<void>;
}

/** For jobs run where nobody listens. */
export const silentNotifier: Notifier = {
  async backupSucceeded() {},
  async backupFailed() {},
  async restoreTestFinished() {},
  async info() {},
};
