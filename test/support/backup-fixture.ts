/**
 * Builds a real BackupEngine the way `vault-chatops` does — from environment variables through
 * loadConfig — against the Vault test server and a folder or s3rver store. Tests then read what a
 * user would see: objects in the store, the audit log, what on-call was told.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/core/config/load-config.js';
import { openDatabase } from '../../src/core/db/index.js';
import { AuditLog } from '../../src/core/audit/index.js';
import { BackupEngine } from '../../src/core/backup-engine.js';
import type { BackupStore } from '../../src/core/store/backup-store.js';
import { createBackupStore } from '../../src/core/store/create-store.js';
import { startVaultServer } from './vault/server.js';
import type { VaultServerOptions, VaultTestServer } from './vault/types.js';
import type { S3TestServer } from './s3-server.js';
import { RecordingNotifier } from './recording-notifier.js';

export interface BackupFixture {
  vault: VaultTestServer;
  engine: BackupEngine;
  notifier: RecordingNotifier;
  audit: AuditLog;
  dataDir: string;
  env: Record<string, string>;
  /** The base64 key `k1` of BACKUP_KEYS. */
  key: Buffer;
  close(): Promise<void>;
}

export interface FixtureOptions {
  vault?: VaultServerOptions;
  s3?: S3TestServer;
  s3Prefix?: string;
  env?: Record<string, string>;
  /** A second Vault server to use as staging. */
  staging?: VaultTestServer;
  canaryTimeoutMs?: number;
  snapshotIdleTimeoutMs?: number;
  /** Wraps the configured store, e.g. to make it fail at a chosen moment (through its public interface). */
  wrapStore?: (store: BackupStore) => BackupStore;
  /** Environment built from the started Vault server (e.g. a token it issued). */
  envFrom?: (vault: VaultTestServer) => Record<string, string>;
  /** Run-lease timing (heartbeat, staleness bound), so crash tests need not wait a minute. */
  lease?: { heartbeatMs?: number; staleAfterMs?: number };
  /** Restore upload answer timeout and the outcome check after it, so tests need not wait an hour. */
  restoreTimeoutMs?: number;
  restoreOutcomeCheck?: { timeoutMs?: number; intervalMs?: number };
}

export async function backupFixture(opts: FixtureOptions = {}): Promise<BackupFixture> {
  const vault = await startVaultServer({ snapshotSize: 256 * 1024, ...opts.vault });
  const dataDir = await mkdtemp(join(tmpdir(), 'vc-engine-'));
  const key = randomBytes(32);
  const env: Record<string, string> = {
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.rootToken,
    BACKUP_KEYS: `k1:${key.toString('base64')}`,
    DATA_DIR: dataDir,
    ...(opts.s3
      ? { BACKUP_STORE: `s3://${opts.s3.bucket}${opts.s3Prefix ? `/${opts.s3Prefix}` : ''}`, S3_ENDPOINT: opts.s3.endpoint, S3_FORCE_PATH_STYLE: 'true', S3_REGION: 'us-east-1' }
      : {}),
    ...(opts.staging ? { VAULT_STAGING_ADDR: opts.staging.url, VAULT_STAGING_TOKEN: opts.staging.rootToken } : {}),
    ...opts.env,
    ...opts.envFrom?.(vault),
  };
  if (opts.s3) {
    process.env.AWS_ACCESS_KEY_ID = opts.s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = opts.s3.credentials.secretAccessKey;
  }
  const loaded = loadConfig(env, ['vault', 'backup']);
  if (!loaded.ok) throw new Error(`fixture config invalid: ${loaded.problems.join('; ')}`);
  const db = openDatabase(dataDir);
  const audit = new AuditLog(db);
  const notifier = new RecordingNotifier();
  const store = opts.wrapStore?.(createBackupStore(loaded.config.backup.store, loaded.config.backup.s3));
  const engine = new BackupEngine({
    config: loaded.config, db, audit, notifier, logger: pino({ level: 'silent' }), ...(store ? { store } : {}),
    ...(opts.canaryTimeoutMs ? { canaryTimeoutMs: opts.canaryTimeoutMs } : {}),
    ...(opts.snapshotIdleTimeoutMs ? { snapshotIdleTimeoutMs: opts.snapshotIdleTimeoutMs } : {}),
    ...(opts.lease ? { lease: opts.lease } : {}),
    ...(opts.restoreTimeoutMs ? { restoreTimeoutMs: opts.restoreTimeoutMs } : {}),
    ...(opts.restoreOutcomeCheck ? { restoreOutcomeCheck: opts.restoreOutcomeCheck } : {}),
  });
  await engine.start();
  return {
    vault, engine, notifier, audit, dataDir, env, key,
    async close() {
      engine.stop();
      db.close();
      await vault.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
