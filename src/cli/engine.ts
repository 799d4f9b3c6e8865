/**
 * @module cli/engine
 * Opens the backup engine for one CLI command and closes it afterwards. The CLI's notifier prints:
 * on a terminal the person running the command is on-call.
 */
import { BackupEngine } from '../core/backup-engine.js';
import type { BackupFailure, BackupReport, Notifier, RestoreReport } from '../core/notifier.js';
import { formatBytes } from '../core/restore/restore-plan.js';
import type { CliContext } from './context.js';

class CliNotifier implements Notifier {
  constructor(private readonly ctx: CliContext) {}
  async backupSucceeded(r: BackupReport): Promise<void> {
    this.ctx.out(`backup ${r.key} verified: ${formatBytes(r.storedBytes)} in ${(r.durationMs / 1000).toFixed(1)} s, sha256 ${r.sha256.slice(0, 12)}…${r.deleted.length ? `; retention deleted ${r.deleted.length}` : ''}`);
  }
  async backupFailed(f: BackupFailure): Promise<void> {
    this.ctx.err(`backup failed at ${f.step}: ${f.reason}`);
  }
  async restoreTestFinished(r: RestoreReport, error?: { step: string; reason: string }): Promise<void> {
    if (error) this.ctx.err(`restore test failed at ${error.step}: ${error.reason}`);
    else this.ctx.out(`restore test of ${r.key} into ${r.target} passed in ${(r.recoveryMs / 1000).toFixed(1)} s (canary ${r.canary})`);
  }
  async info(text: string): Promise<void> {
    this.ctx.out(text);
  }
}

export async function withEngine<T>(ctx: CliContext, run: (engine: BackupEngine) => Promise<T>): Promise<T> {
  const config = ctx.config(['vault', 'backup']);
  const db = ctx.db();
  const engine = new BackupEngine({ config, db, audit: ctx.audit(), logger: ctx.logger(), notifier: new CliNotifier(ctx) });
  try {
    await engine.start();
    return await run(engine);
  } finally {
    engine.stop();
  }
}
