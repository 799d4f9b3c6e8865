/**
 * @module backup-engine
 * Builds the backup engine from the validated configuration and gives the CLI and the bot one
 * object to call: back up (then prune), prune, verify, plan and run restores, the weekly restore
 * test, the start-up catch-up, and the scheduled jobs. Nothing here knows about Slack.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { AuditTrail } from './audit/types.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { ConfigFor } from './config/types.js';
import { CoreError, ErrorCode, isCoreError } from './errors.js';
import { keyringFromKeys, type Keyring } from './crypto/keyring.js';
import type { BackupKind, Notifier } from './notifier.js';
import type { BackupStore } from './store/backup-store.js';
import { createBackupStore } from './store/create-store.js';
import { VaultClient } from './vault/client.js';
import { BackupCatalogue } from './backup/catalogue.js';
import type { RestoreTarget } from './backup/ports.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from './backup/retention.js';
import { runBackup, type BackupOutcome } from './backup/run-backup.js';
import { RunLease } from './backup/run-lease.js';
import { PendingWrites } from './db/pending-writes.js';
import { withBusyTimeout } from './db/busy-timeout.js';
import { runRetention, type RetentionOutcome } from './backup/run-retention.js';
import { verifyBackup, type VerifiedBackup } from './backup/verify-backup.js';
import { executeRestore, type RestoreOutcome } from './restore/execute-restore.js';
import { sweepWorkDir } from './restore/fetch-and-decrypt.js';
import { withDownloadProgress } from './restore/download-progress.js';
import { planRestore, type RestorePlan, type RestoreTargetName } from './restore/restore-plan.js';
import { backupAgeHours, MAX_BACKUP_AGE_HOURS, type ScheduledJob } from './scheduler.js';
import type { RestorePurpose } from './backup/catalogue.js';

export interface BackupEngineOptions {
  config: ConfigFor<'vault' | 'backup'>;
  db: Database.Database;
  audit: AuditTrail;
  logger: Logger;
  notifier: Notifier;
  clock?: Clock;
  /** Overrides for tests: a store or clients built elsewhere. */
  store?: BackupStore;
  chunkSize?: number;
  canaryTimeoutMs?: number;
  /** A snapshot stream that sends nothing for this long is abandoned (the client's default: 60 s). */
  snapshotIdleTimeoutMs?: number;
  /** How long a restore waits for Vault's answer to the upload (VAULT_RESTORE_TIMEOUT_SECONDS; default 1 h). */
  restoreTimeoutMs?: number;
  /** After an unanswered restore upload, how long (default 5 min) and how often to look for its outcome. */
  restoreOutcomeCheck?: { timeoutMs?: number; intervalMs?: number };
  /** Run ownership: heartbeat every `heartbeatMs` (10 s) while working; dead after `staleAfterMs` (60 s) without one. */
  lease?: { heartbeatMs?: number; staleAfterMs?: number };
}

export class BackupEngine {
  readonly store: BackupStore;
  readonly keyring: Keyring;
  readonly catalogue: BackupCatalogue;
  readonly vault: VaultClient;
  private readonly staging: VaultClient | undefined;
  private readonly policy: RetentionPolicy;
  private readonly clock: Clock;
  private readonly workDir: string;
  /** This engine's claim on its runs, renewed while it works (see run-lease.ts). */
  readonly lease: RunLease;
  /** Audit and run writes the database could not take yet (locked, full); retried on every heartbeat and run. */
  readonly pending: PendingWrites;
  private releasePendingHold: (() => void) | undefined;
  /** Work in this process that stages objects in the store outside a backup run (a backup-key rotation). */
  private storeWork = 0;
  /** Backups in this process run one after another (daily and monthly both fire at 02:00 on the 1st). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: BackupEngineOptions) {
    const { config } = o;
    this.clock = o.clock ?? systemClock;
    this.keyring = keyringFromKeys(config.backup.keys, config.backup.activeKeyId);
    this.store = o.store ?? createBackupStore(config.backup.store, config.backup.s3);
    this.catalogue = new BackupCatalogue(o.db, { clock: this.clock });
    this.vault = this.productionClient(config.vault.addr);
    const staging = config.vault.staging;
    this.staging = staging
      ? new VaultClient({ addr: staging.addr, token: staging.token, logger: o.logger.child({ vault: 'staging' }), ...this.clientTuning() })
      : undefined;
    this.policy = { ...DEFAULT_RETENTION, daily: config.backup.retainDaily, monthly: config.backup.retainMonthly };
    this.workDir = join(config.dataDir, 'tmp');
    this.pending = new PendingWrites(o.logger);
    this.lease = new RunLease(o.db, { ...o.lease, clock: this.clock, logger: o.logger, onBeat: () => queueMicrotask(() => this.flushPending()) });
  }

  /**
   * Retries database writes that had to wait. While some still wait, the lease stays held (its
   * heartbeat retries them every beat), so no other process takes this engine's open run for dead.
   */
  flushPending(): number {
    // A short wait for a locked database: this runs on every heartbeat and must not stall the bot.
    const left = this.pending.size === 0 ? 0 : withBusyTimeout(this.o.db, 250, () => this.pending.flush());
    if (left > 0 && !this.releasePendingHold) this.releasePendingHold = this.lease.hold();
    if (left === 0 && this.releasePendingHold) {
      const release = this.releasePendingHold;
      this.releasePendingHold = undefined;
      release();
    }
    return left;
  }

  /**
   * Reports runs a crash left behind and removes what they left, then logs in (AppRole) or checks
   * the token and keeps it renewed. The crash report comes first so it is made even when Vault is
   * down at start-up.
   */
  async start(): Promise<void> {
    await this.recoverInterrupted();
    await this.vault.login();
    this.vault.startRenewal();
  }

  /**
   * Runs whose owner is gone (its lease missing or not renewed for the bound) become interrupted:
   * audited, paged once, never retried. An object such a run wrote but never catalogued is
   * deleted, so nothing unverified sits under a final name; decrypted restore files of dead owners
   * are removed, and — while no process holds a live lease (backup, restore, rotation) — the store's stale temporary files and
   * staged uploads. Safe at any time: work of live owners is left alone.
   */
  async recoverInterrupted(): Promise<void> {
    const log = this.o.logger;
    const { runs, restores } = this.catalogue.markInterruptedRuns((owner) => this.lease.isAlive(owner));
    for (const run of runs) {
      const leftover = run.key && !this.catalogue.get(run.key) ? await this.store.stat(run.key).catch(() => undefined) : undefined;
      if (leftover && run.key) await this.store.delete(run.key).catch((error: unknown) => log.error({ err: error, key: run.key }, 'could not delete an unverified backup'));
      const reason = `The ${run.kind} backup started ${run.startedAt} was interrupted: the process running it stopped (no heartbeat for ${Math.round(this.lease.staleAfterMs / 1000)} s). It was not retried; run it again if needed.`;
      this.pending.attempt('audit backup.interrupted', () => this.o.audit.append({
        actor: 'system', event: 'backup.interrupted', ...(run.key ? { target: run.key } : {}),
        details: { kind: run.kind, startedAt: run.startedAt, ...(leftover ? { unverifiedObjectDeleted: true } : {}) },
      }));
      await this.o.notifier
        .backupFailed({ kind: run.kind as BackupKind, step: 'interrupted', reason, ...(run.key ? { key: run.key } : {}), interrupted: true })
        .catch((error: unknown) => log.error({ err: error }, 'could not page about the interrupted backup'));
    }
    for (const r of restores) {
      const where = r.target === 'prod' ? 'production' : 'staging';
      this.pending.attempt(`audit ${r.purpose}.interrupted`, () => this.o.audit.append({ actor: 'system', event: `${r.purpose}.interrupted`, target: r.key, details: { target: r.target, startedAt: r.startedAt, dryRun: r.dryRun, safetySnapshot: r.safetyKey } }));
      const rollBack = r.safetyKey ? ` If it has, the safety snapshot ${r.safetyKey} holds what ${where} had before.` : '';
      // A dry run never uploads anything: saying "check whether production holds the restored data" would send on-call looking for damage that cannot exist.
      const text = r.dryRun
        ? `A dry-run ${r.purpose} of ${r.key} against ${where} started ${r.startedAt} was interrupted: the process running it stopped. It was a dry run, so nothing was changed in ${where}; run it again if you still need the check.`
        : `A ${r.purpose} of ${r.key} into ${where} started ${r.startedAt} was interrupted: the process running it stopped. It was not retried; check whether ${where} holds the restored data.${rollBack}`;
      await this.o.notifier
        .info(text)
        .catch((error: unknown) => log.error({ err: error }, 'could not report the interrupted restore'));
    }
    this.lease.pruneDead();
    const swept = await sweepWorkDir(this.workDir, (owner) => this.lease.isAlive(owner));
    if (swept > 0) log.warn({ files: swept }, 'removed decrypted snapshot files left by an interrupted restore');
    // Any live lease (a backup, restore or backup-key rotation in any process) may own a staging
    // object mid-copy, with or without a run row: sweep only while nobody holds one.
    if (!this.catalogue.runningRun() && this.storeWork === 0 && !this.lease.othersAlive() && this.store.sweepLeftovers) {
      const leftovers = await this.store.sweepLeftovers(this.lease.staleAfterMs).catch((error: unknown) => {
        log.warn({ err: error }, 'could not remove temporary files a stopped backup left in the store');
        return 0;
      });
      if (leftovers > 0) log.warn({ files: leftovers, store: this.store.location }, 'removed temporary files a stopped backup left in the store');
    }
  }

  /**
   * Marks store work outside a backup run (a backup-key rotation re-encrypting through staging
   * copies): holds this engine's lease, so other processes see a live holder, and keeps this
   * process's own sweep away from the store until the returned release is called.
   */
  holdStoreWork(): () => void {
    const releaseLease = this.lease.hold();
    this.storeWork += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.storeWork -= 1;
      releaseLease();
    };
  }

  stop(): void {
    this.flushPending();
    this.vault.stop();
    this.staging?.stop();
  }

  /** Takes a backup; scheduled kinds then apply retention. */
  async backup(kind: BackupKind, actor: string, reason?: string): Promise<BackupOutcome> {
    const outcome = await this.queued(() => runBackup(this.backupDeps(this.vault), { kind, actor, ...(reason ? { reason } : {}) }));
    if (outcome.ok) {
      if (kind === 'daily' || kind === 'monthly') {
        const retention = await this.retention(false, actor).catch((error: unknown) => {
          this.o.logger.error({ err: error }, 'retention after the backup failed');
          return undefined;
        });
        outcome.report.deleted = retention?.deleted ?? [];
      }
      await this.o.notifier.backupSucceeded(outcome.report).catch((error: unknown) => this.o.logger.error({ err: error }, 'could not announce the backup'));
    }
    return outcome;
  }

  retention(dryRun: boolean, actor: string): Promise<RetentionOutcome> {
    return runRetention({ store: this.store, catalogue: this.catalogue, audit: this.o.audit, logger: this.o.logger, policy: this.policy, clock: this.clock }, { dryRun, actor });
  }

  async verify(spec: string): Promise<VerifiedBackup> {
    const release = this.lease.hold();
    try {
      return await verifyBackup(this.store, this.keyring, spec, this.workDir, this.lease.token, this.catalogue);
    } finally {
      release();
    }
  }

  async planRestore(spec: string, target: RestoreTargetName, force = false): Promise<RestorePlan> {
    const client = this.targetClient(target);
    // The target's cluster tells a backup from another cluster (a staging snapshot, another region).
    const health = await client.health().catch(() => undefined);
    const targetCluster = { ...(health?.clusterId ? { id: health.clusterId } : {}), ...(health?.clusterName ? { name: health.clusterName } : {}) };
    return planRestore(this.store, spec, { target, force, address: client.address, catalogue: this.catalogue, targetCluster });
  }

  /** `onProgress` gets a line about the snapshot's download at most every `progressIntervalMs` (default 5 s; see download-progress). */
  async restore(plan: RestorePlan, opts: { actor: string; purpose: RestorePurpose; dryRun: boolean; onProgress?: (line: string) => unknown; progressIntervalMs?: number }): Promise<RestoreOutcome> {
    const configured = this.targetClient(plan.target);
    if (plan.address && plan.address !== configured.address) {
      // The configuration changed since the plan was made (and approved): never overwrite a Vault nobody saw.
      throw new CoreError(
        ErrorCode.RestoreRefused,
        `This restore was planned for ${plan.address}, but the ${plan.target === 'prod' ? 'production' : 'staging'} Vault is now ${configured.address}; request it again.`,
      );
    }
    const client = plan.target === 'staging' ? await this.stagingClientThatWorks(configured) : configured;
    const target = asTarget(client);
    const canaryPath = this.o.config.vault.canaryPath;
    // After a restore the target holds the snapshot's tokens: read the canary with a production
    // token at the target's address — VAULT_CANARY_TOKEN when set (it can read nothing else, so
    // the staging host never sees the bot's own token), else the bot's production credentials.
    const reader = this.canaryReader(plan.target, client.address);
    const release = this.lease.hold();
    try {
      return await executeRestore(
        {
          store: opts.onProgress ? withDownloadProgress(this.store, opts.onProgress, { ...(opts.progressIntervalMs !== undefined ? { intervalMs: opts.progressIntervalMs } : {}) }) : this.store,
          keyring: this.keyring, catalogue: this.catalogue, audit: this.o.audit, logger: this.o.logger,
          workDir: this.workDir, target, clock: this.clock, owner: this.lease.token,
          restoreTimeoutMs: this.o.restoreTimeoutMs ?? (this.o.config.vault.restoreTimeoutSeconds ?? 3600) * 1000,
          ...(this.o.restoreOutcomeCheck ? { outcomeCheck: this.o.restoreOutcomeCheck } : {}),
          // Staging's safety snapshot is kept under staging/, apart from production's backups.
          takeSafetySnapshot: () => this.queued(() => runBackup(this.backupDeps(target), {
            kind: 'pre-restore', actor: opts.actor, reason: `before restoring ${plan.key}`, ...(plan.target === 'staging' ? { keyPrefix: 'staging/' } : {}),
          })),
          ...(canaryPath ? { canary: { path: canaryPath, reader, ...(this.o.canaryTimeoutMs ? { timeoutMs: this.o.canaryTimeoutMs } : {}) } } : {}),
        },
        plan,
        opts,
      );
    } finally {
      release();
      if (reader !== this.vault) reader.stop();
      if (client !== configured) client.stop();
    }
  }

  /** Runs `fn` with a staging client that works now (see `stagingClientThatWorks`), stopped afterwards. Drills use it. */
  async withStagingClient<T>(fn: (client: VaultClient) => Promise<T>): Promise<T> {
    const configured = this.targetClient('staging');
    const client = await this.stagingClientThatWorks(configured);
    try {
      return await fn(client);
    } finally {
      if (client !== configured) client.stop();
    }
  }

  /**
   * Staging after an earlier restore holds the snapshot's data and tokens: VAULT_STAGING_TOKEN no
   * longer exists there and production's credentials work instead (DESIGN §4). Without this, the
   * second restore test, drill or recovery would fail at its safety snapshot.
   */
  private async stagingClientThatWorks(staging: VaultClient): Promise<VaultClient> {
    try {
      await staging.login();
      return staging;
    } catch (error) {
      if (!isCoreError(error, ErrorCode.VaultAuthFailed) && !isCoreError(error, ErrorCode.VaultPermissionDenied)) return staging;
      this.o.logger.info({ staging: staging.address }, 'the staging token is refused (staging holds a restored snapshot); using production credentials there');
      return this.productionClient(staging.address);
    }
  }

  /** The staging Vault's address, or undefined when none is configured (recovery and drills need one). */
  get stagingAddress(): string | undefined {
    return this.staging?.address;
  }

  /**
   * A client with production's credentials (token or AppRole) at another address: after a restore
   * the target holds the snapshot's tokens, so staging is read this way (DESIGN §4, §12). The
   * caller stops it.
   */
  productionCredentialsAt(addr: string): VaultClient {
    return this.productionClient(addr);
  }

  /** The weekly proof that backups restore: the latest backup into staging, forced (another cluster's keys). */
  async restoreTest(actor = 'system'): Promise<RestoreOutcome | undefined> {
    if (!this.staging) {
      await this.o.notifier.info('Skipped the weekly restore test: no staging Vault is configured (VAULT_STAGING_ADDR, VAULT_STAGING_TOKEN).');
      return undefined;
    }
    try {
      const plan = await this.planRestore('latest', 'staging', true);
      const outcome = await this.restore(plan, { actor, purpose: 'restore-test', dryRun: false });
      await this.o.notifier.restoreTestFinished(outcome.report, outcome.ok ? undefined : { step: outcome.step, reason: outcome.error.userMessage });
      return outcome;
    } catch (error) {
      const reason = error instanceof CoreError ? error.userMessage : 'unexpected error; see the bot log';
      this.o.logger.error({ err: error }, 'restore test could not start');
      this.o.audit.append({ actor, event: 'restore-test.failed', details: { step: 'plan', reason } });
      await this.o.notifier.restoreTestFinished({ key: 'latest', target: 'staging', recoveryMs: 0, canary: 'skipped', dryRun: false }, { step: 'plan', reason });
      return undefined;
    }
  }

  /** At start-up: when the last good backup is older than 25 hours (or there is none), take one now and say why. */
  async catchUpIfStale(): Promise<BackupOutcome | undefined> {
    const age = backupAgeHours(this.catalogue.lastSuccessAt(), this.clock());
    if (age !== undefined && age <= MAX_BACKUP_AGE_HOURS) return undefined;
    const reason = age === undefined ? 'there is no successful backup yet' : `the last successful backup is ${Math.floor(age)} h old`;
    await this.o.notifier.info(`Taking a backup now: ${reason}.`);
    return this.backup('daily', 'system', reason);
  }

  scheduledJobs(): ScheduledJob[] {
    const s = this.o.config.schedule;
    return [
      { name: 'daily-backup', cron: s.backupCron, run: () => this.backup('daily', 'system') },
      { name: 'monthly-backup', cron: s.monthlyCron, run: () => this.backup('monthly', 'system') },
      { name: 'restore-test', cron: s.restoreTestCron, run: () => this.restoreTest('system') },
    ];
  }

  /** Runs `job` after every backup queued before it; a crashed process's stale slot is freed first. */
  private queued<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const release = this.lease.hold();
      try {
        this.flushPending();
        // A locked database must not keep the backup from trying (and paging if it cannot).
        await this.recoverInterrupted().catch((error: unknown) => this.o.logger.error({ err: error }, 'could not check for interrupted runs'));
        return await job();
      } finally {
        this.flushPending();
        release();
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private targetClient(target: RestoreTargetName): VaultClient {
    if (target === 'prod') return this.vault;
    if (!this.staging) {
      throw new CoreError(ErrorCode.RestoreRefused, 'No staging Vault is configured; set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN to restore into staging.');
    }
    return this.staging;
  }

  private backupDeps(vault: RestoreTarget | VaultClient) {
    return {
      vault, store: this.store, keyring: this.keyring, catalogue: this.catalogue, audit: this.o.audit,
      notifier: this.o.notifier, logger: this.o.logger, clock: this.clock, owner: this.lease.token, staleAfterMs: this.lease.staleAfterMs, pending: this.pending, ...(this.o.chunkSize ? { chunkSize: this.o.chunkSize } : {}),
    };
  }

  private canaryReader(target: RestoreTargetName, addr: string): VaultClient {
    const v = this.o.config.vault;
    if (v.canaryToken) {
      return new VaultClient({ addr, token: v.canaryToken, logger: this.o.logger.child({ vault: 'canary' }), ...this.clientTuning() });
    }
    return target === 'prod' ? this.vault : this.productionClient(addr);
  }

  private productionClient(addr: string): VaultClient {
    const v = this.o.config.vault;
    return new VaultClient({
      addr,
      ...(v.token ? { token: v.token } : {}),
      ...(v.appRole ? { appRole: v.appRole } : {}),
      logger: this.o.logger.child({ vault: addr === v.addr ? 'production' : 'restore-target' }),
      ...this.clientTuning(),
    });
  }

  private clientTuning(): { namespace?: string; caCert?: string; snapshotIdleTimeoutMs?: number } {
    const v = this.o.config.vault;
    return {
      ...(v.namespace ? { namespace: v.namespace } : {}),
      ...(v.caCert ? { caCert: v.caCert } : {}),
      ...(this.o.snapshotIdleTimeoutMs ? { snapshotIdleTimeoutMs: this.o.snapshotIdleTimeoutMs } : {}),
    };
  }
}

function asTarget(client: VaultClient): RestoreTarget {
  return {
    address: client.address,
    snapshot: () => client.snapshot(),
    health: () => client.health(),
    restoreSnapshot: (body, opts) => client.restoreSnapshot(body, opts),
    raftIndex: async () => (await client.leader()).raftCommittedIndex,
  };
}
