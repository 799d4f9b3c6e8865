/**
 * @module cli/engine
 * Opens the backup engine for one CLI command and closes it afterwards. The CLI's notifier prints:
 * on a terminal the person running the command is on-call.
 */
import { BackupEngine } from '../core/backup-engine.js';
import type { BackupFailure, BackupReport, Notifier, RestoreReport } from '../core/notifier.js';
import { formatBytes, formatDuration, plural } from '../format/human.js';
import { createBackupStore } from '../core/store/create-store.js';
import type { CliContext } from './context.js';
import { withProgress } from './progress.js';

class CliNotifier implements Notifier {
  constructor(private readonly ctx: CliContext) {}
  async backupSucceeded(r: BackupReport): Promise<void> {
    const pruned = r.deleted.length ? `; retention deleted ${plural(r.deleted.length, 'old backup')}` : '';
    this.ctx.out(`backup ${r.key} verified in ${r.store}: ${formatBytes(r.storedBytes)} in ${formatDuration(r.durationMs)}, sha256 ${r.sha256.slice(0, 12)}…${pruned}`);
  }
  async backupFailed(f: BackupFailure): Promise<void> {
    // A run found dead at start-up did not fail at a step called "interrupted": it was interrupted.
    this.ctx.err(f.interrupted ? `an earlier ${f.kind} backup was interrupted: ${f.reason}` : `backup failed at ${f.step}: ${f.reason}`);
  }
  async restoreTestFinished(r: RestoreReport, error?: { step: string; reason: string }): Promise<void> {
    if (error) this.ctx.err(`restore test failed at ${error.step}: ${error.reason}`);
    else this.ctx.out(`restore test of ${r.key} into ${r.target} passed in ${formatDuration(r.recoveryMs)} (canary ${r.canary})`);
  }
  /** Notices (an interrupted run found at start-up, a skipped test) go to stderr: stdout is the command's result, e.g. its --json. */
  async info(text: string): Promise<void> {
    this.ctx.err(text);
  }
}

export interface EngineUse {
  /**
   * `offline`: the command reads the store, the catalogue and the keys only (backup list, show,
   * verify; retention): it never logs in to Vault and does not need VAULT_ADDR or VAULT_TOKEN, so it
   * works in exactly the outage it is for. Default: log in first (backup run, restore, health …).
   */
  vault?: 'login' | 'offline';
}

/**
 * Stands in for VAULT_ADDR when an offline command runs without Vault variables: the engine builds
 * a client it never calls. `.invalid` cannot resolve (RFC 2606), so a mistake fails loudly.
 */
const NO_VAULT = 'http://vault-not-configured.invalid';

export async function withEngine<T>(ctx: CliContext, run: (engine: BackupEngine) => Promise<T>, use: EngineUse = {}): Promise<T> {
  const offline = use.vault === 'offline';
  const loaded = offline ? ctx.config(['backup']) : ctx.config(['vault', 'backup']);
  const config = { ...loaded, vault: loaded.vault ?? { addr: NO_VAULT } };
  const db = ctx.db();
  // On a terminal, every byte to and from the store moves a progress bar on stderr.
  const store = ctx.io.interactive === true ? withProgress(createBackupStore(config.backup.store, config.backup.s3), ctx.io.stderr) : undefined;
  const engine = new BackupEngine({ config, db, audit: ctx.audit(), logger: ctx.logger(), notifier: new CliNotifier(ctx), ...(store ? { store } : {}) });
  try {
    if (!offline) await engine.start();
    return await run(engine);
  } finally {
    await settleWrites(engine, ctx, db);
    engine.stop();
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A CLI process ends with the command: audit rows and run records the database could not take
 * yet (another process holds its lock) are retried for up to the connection's busy timeout
 * (5 s). What still cannot be written is said in one line: the run it would have closed stays
 * open and is reported as interrupted by the next command or the bot, never silently lost.
 */
async function settleWrites(engine: BackupEngine, ctx: CliContext, db: ReturnType<CliContext['db']>): Promise<void> {
  if (engine.pending.size === 0) return;
  const boundMs = Math.max(0, Number(db.pragma('busy_timeout', { simple: true })) || 5000);
  const deadline = Date.now() + boundMs;
  let left = engine.flushPending();
  while (left > 0 && Date.now() < deadline) {
    await pause(Math.min(100, Math.max(1, deadline - Date.now())));
    left = engine.flushPending();
  }
  if (left > 0) {
    ctx.err(`the database stayed locked by another process for ${formatDuration(boundMs)}, so this command's audit and run records (${engine.pending.waiting.join('; ')}) could not be written; an unfinished run will be reported as interrupted`);
  }
}
