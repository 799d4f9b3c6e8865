/** `vault-chatops rotate backup-key`: the CLI form for operators without Slack, with Vault down. */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptLegacy } from '../../src/core/crypto/legacy.js';
import { claimBackupKeyRotation } from '../../src/core/rotation/backup-key-claim.js';
import { openDatabase } from '../../src/core/db/index.js';
import { backupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { runCli } from './run-cli.js';

describe('vault-chatops rotate backup-key', () => {
  let f: BackupFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('needs --yes without a terminal, shows the plan on --dry-run, then re-encrypts and says the old key can go', async () => {
    f = await backupFixture({ vault: { snapshotSize: 16 * 1024 } });
    expect((await f.engine.backup('manual', 'U0CAROL')).ok).toBe(true);
    expect((await f.engine.backup('manual', 'U0CAROL')).ok).toBe(true);
    const env = { ...f.env, VAULT_ADDR: 'http://127.0.0.1:9', BACKUP_KEYS: `${f.env.BACKUP_KEYS},k2:${randomBytes(32).toString('base64')}`, BACKUP_ACTIVE_KEY: 'k2' };

    const refused = await runCli(['rotate', 'backup-key'], env);
    expect(refused.code).toBe(2);
    expect(refused.errLines.join('\n')).toContain('add --yes to run it unattended');

    const dry = await runCli(['rotate', 'backup-key', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Backups to re-encrypt: 2 \([\d.]+ KiB\): 2 under "k1"/);

    const run = await runCli(['rotate', 'backup-key', '--yes'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('re-encrypted 2 backups under key "k2"');
    expect(run.stdout).toContain('no backup needs the old keys any more: remove them from BACKUP_KEYS');

    const again = await runCli(['rotate', 'backup-key', '--yes'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already under the active key "k2"');
  });

  it('refuses while another rotation (here the bot\'s, from Slack) is running, naming who started it, and changes nothing', async () => {
    f = await backupFixture({ vault: { snapshotSize: 16 * 1024 } });
    expect((await f.engine.backup('manual', 'U0CAROL')).ok).toBe(true);
    const env = { ...f.env, VAULT_ADDR: 'http://127.0.0.1:9', BACKUP_KEYS: `${f.env.BACKUP_KEYS},k2:${randomBytes(32).toString('base64')}`, BACKUP_ACTIVE_KEY: 'k2' };
    const db = openDatabase(f.dataDir);
    const release = f.engine.holdStoreWork();
    const unclaim = claimBackupKeyRotation(db, f.engine.lease, () => new Date(), 'U0ANA', 'Slack');
    try {
      const run = await runCli(['rotate', 'backup-key', '--yes'], env);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('A backup-key rotation is already running (started by U0ANA from Slack');
      const dry = await runCli(['rotate', 'backup-key', '--dry-run'], env);
      expect(dry.stdout).toMatch(/Backups to re-encrypt: 1 /);
    } finally {
      unclaim();
      release();
      db.close();
    }
  });
  it('re-encrypts a legacy-format backup with the vcbk1 ones, and then says the old key can go', async () => {
    f = await backupFixture({ vault: { snapshotSize: 16 * 1024 } });
    expect((await f.engine.backup('manual', 'U0CAROL')).ok).toBe(true);
    const legacyKey = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
    await f.engine.store.put(legacyKey, Readable.from([encryptLegacy(await f.vault.snapshotBytes(), f.key)]), () => ({}));
    const env = { ...f.env, VAULT_ADDR: 'http://127.0.0.1:9', BACKUP_KEYS: `${f.env.BACKUP_KEYS},k2:${randomBytes(32).toString('base64')}`, BACKUP_ACTIVE_KEY: 'k2' };

    const dry = await runCli(['rotate', 'backup-key', '--dry-run'], env);
    expect(dry.stdout).toMatch(/Backups to re-encrypt: 2 \([\d.]+ KiB\): 1 in the legacy format \(key found by trying each BACKUP_KEYS key\), 1 under "k1"/);
    const run = await runCli(['rotate', 'backup-key', '--yes'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('re-encrypted 2 backups under key "k2"');
    expect(run.stdout).toContain('no backup needs the old keys any more: remove them from BACKUP_KEYS');
    expect(run.stdout).not.toContain('still needed by');
    expect((await f.engine.store.stat(legacyKey))?.metadata).toMatchObject({ 'format': 'vcbk1', 'key-id': 'k2' });
  });
});
