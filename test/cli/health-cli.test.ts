/**
 * `vault-chatops health` as a monitoring system runs it: a table on stdout, exit 0 when all is
 * well, exit 1 with the failing checks named when Vault is sealed, and no login needed first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { runCli } from './run-cli.js';

describe('vault-chatops health', () => {
  let vault: VaultTestServer;
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    vault = await startVaultServer();
    dir = mkdtempSync(join(tmpdir(), 'vc-health-cli-'));
    env = { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, DATA_DIR: dir, BACKUP_KEYS: `k1:${randomBytes(32).toString('base64')}` };
  });
  afterEach(async () => {
    await vault.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints every check and exits 1 while there is no backup, naming the failing check', async () => {
    const run = await runCli(['health'], env);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CHECK\s+STATE\s+ALERT\s+DETAIL$/);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['CHECK', 'reachable', 'initialised', 'sealed', 'leader', 'raft', 'latency', 'backup_age', 'last_backup', 'restore_test', 'store']);
    expect(run.stdout).toMatch(/^sealed\s+ok\s+vault_sealed\s+unsealed$/m);
    expect(run.stdout).toMatch(/^backup_age\s+FAIL\s+backup_overdue\s+There is no successful backup in the catalogue\.$/m);
    expect(run.errLines).toEqual(['vault-chatops: 1 of 10 checks failing: backup_age']);
  });

  it('a sealed Vault fails `sealed` without needing a login; the token never appears in the output', async () => {
    vault.state.sealed = true;
    const { BACKUP_KEYS: _keys, ...vaultOnly } = env;
    const run = await runCli(['health'], vaultOnly);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^sealed\s+FAIL\s+vault_sealed\s+Vault is sealed/m);
    expect(run.stdout).not.toContain('backup_age');
    expect(run.errLines).toContain('vault-chatops: backup checks skipped: BACKUP_KEYS is not set');
    expect(run.stdout + run.stderr).not.toContain(vault.rootToken);
  });

  it('exits 0 when every Vault check passes', async () => {
    const { BACKUP_KEYS: _keys, ...vaultOnly } = env;
    const run = await runCli(['health'], vaultOnly);
    expect(run.code).toBe(0);
  });

  it('a bad LATENCY_WARN_MS is one line naming the variable, exit 2', async () => {
    const run = await runCli(['health'], { ...env, LATENCY_WARN_MS: 'fast' });
    expect(run.code).toBe(2);
    expect(run.errLines[0]).toContain('LATENCY_WARN_MS is not a whole number');
  });
});
