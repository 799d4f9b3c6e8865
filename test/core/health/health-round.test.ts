/**
 * One health round against the Vault test server and a real backup store: what each check says
 * about a sealed, standby, OpenBao, hung, slow or unhealthy Vault, and about backups the catalogue
 * lists but the store no longer holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runHealthRound } from '../../../src/core/health/index.js';
import type { CheckName, HealthRound } from '../../../src/core/health/index.js';
import { VaultClient } from '../../../src/core/vault/client.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';
import { startVaultServer } from '../../support/vault/server.js';
import type { VaultTestServer } from '../../support/vault/types.js';

const byName = (round: HealthRound, name: CheckName) => {
  const r = round.results.find((x) => x.name === name);
  if (!r) throw new Error(`no ${name} result`);
  return r;
};

describe('health round: Vault checks', () => {
  let vault: VaultTestServer | undefined;
  afterEach(async () => {
    await vault?.stop();
    vault = undefined;
  });

  async function roundAgainst(server: VaultTestServer, extra: Partial<Parameters<typeof runHealthRound>[0]> = {}): Promise<HealthRound> {
    const client = new VaultClient({ addr: server.url, token: server.rootToken, requestTimeoutMs: 2000 });
    return runHealthRound({ vault: client, timeoutMs: 1000, latencyWarnMs: 100, ...extra });
  }

  it('passes every Vault check on a healthy active node', async () => {
    vault = await startVaultServer();
    const round = await roundAgainst(vault);
    expect(round.results.map((r) => [r.name, r.state])).toEqual([
      ['reachable', 'pass'], ['initialised', 'pass'], ['sealed', 'pass'], ['leader', 'pass'], ['raft', 'pass'], ['latency', 'pass'],
    ]);
    expect(byName(round, 'raft').detail).toMatch(/^healthy, 1 voter/);
  });

  it('fails `sealed` on a sealed Vault and skips leadership and raft instead of piling on', async () => {
    vault = await startVaultServer({ sealed: true });
    const round = await roundAgainst(vault);
    expect(byName(round, 'reachable').state).toBe('pass');
    expect(byName(round, 'sealed')).toMatchObject({ state: 'fail', alert: 'vault_sealed' });
    expect(byName(round, 'sealed').detail).toContain('Vault is sealed');
    expect(byName(round, 'leader').state).toBe('skip');
    expect(byName(round, 'raft').state).toBe('skip');
  });

  it('treats a standby (429) and an OpenBao answer as healthy', async () => {
    vault = await startVaultServer();
    vault.faults = { standby: { activeAddr: 'http://10.0.0.1:8200' } };
    const standby = await roundAgainst(vault);
    expect(standby.results.filter((r) => r.state === 'fail')).toEqual([]);
    expect(byName(standby, 'reachable').detail).toContain('standby node');
    await vault.stop();

    vault = await startVaultServer({ flavor: 'openbao' });
    const bao = await roundAgainst(vault);
    expect(bao.results.filter((r) => r.state === 'fail')).toEqual([]);
    expect(byName(bao, 'reachable').detail).toContain('version 2.6.0');
  });

  it('treats a Vault Enterprise performance standby (473) as healthy', async () => {
    vault = await startVaultServer();
    vault.faults = { standby: { activeAddr: 'http://10.0.0.1:8200' }, performanceStandby: true };
    const round = await roundAgainst(vault);
    expect(round.results.filter((r) => r.state === 'fail')).toEqual([]);
    expect(byName(round, 'reachable').detail).toBe('perf-standby node, version 1.19.0 (HTTP 473)');
    expect(byName(round, 'leader').detail).toBe('active leader http://10.0.0.1:8200');
  });

  it('fails `reachable` when nothing answers, and names the address', async () => {
    vault = await startVaultServer();
    const url = vault.url;
    await vault.stop();
    vault = undefined;
    const client = new VaultClient({ addr: url, token: 'hvs.x', requestTimeoutMs: 1000 });
    const round = await runHealthRound({ vault: client, timeoutMs: 1000 });
    expect(byName(round, 'reachable')).toMatchObject({ state: 'fail', alert: 'vault_unreachable' });
    expect(byName(round, 'reachable').detail).toContain(url);
    expect(byName(round, 'sealed').state).toBe('skip');
  });

  it('fails `raft` with the unhealthy server named', async () => {
    vault = await startVaultServer();
    vault.faults = { autopilotUnhealthy: true };
    const round = await roundAgainst(vault);
    expect(byName(round, 'raft')).toMatchObject({ state: 'fail', alert: 'raft_unhealthy' });
    expect(byName(round, 'raft').detail).toContain('unhealthy server: node2');
  });

  it('fails `latency` when the median probe is over LATENCY_WARN_MS', async () => {
    vault = await startVaultServer();
    vault.faults = { latencyMs: 60 };
    const round = await roundAgainst(vault, { latencyWarnMs: 40 });
    expect(byName(round, 'latency')).toMatchObject({ state: 'fail', alert: 'high_latency' });
    expect(byName(round, 'latency').detail).toMatch(/median \d+ ms over 3 probes \(limit 40 ms\)/);
    expect(byName(round, 'sealed').state).toBe('pass');
  });

  it('a hung check fails on its own after the timeout and does not stall the others', async () => {
    vault = await startVaultServer();
    vault.faults = { hangPaths: ['sys/storage/raft/autopilot'] };
    const started = Date.now();
    const round = await roundAgainst(vault, { timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(byName(round, 'raft')).toMatchObject({ state: 'fail' });
    expect(byName(round, 'raft').detail).toContain('no answer within 300 ms');
    expect(byName(round, 'sealed').state).toBe('pass');
    expect(byName(round, 'latency').state).toBe('pass');
    expect(elapsed).toBeLessThan(1500);
  });
});

describe('health round: backup checks', () => {
  let f: BackupFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  const round = (fx: BackupFixture) =>
    runHealthRound({ vault: fx.engine.vault, store: fx.engine.store, catalogue: fx.engine.catalogue, timeoutMs: 2000, latencyWarnMs: 1000 });

  it('a fresh backup in catalogue and store passes; the same catalogue over an emptied store is overdue', async () => {
    f = await backupFixture();
    const outcome = await f.engine.backup('daily', 'system');
    expect(outcome.ok).toBe(true);
    const fresh = await round(f);
    expect(byName(fresh, 'backup_age').state).toBe('pass');
    expect(byName(fresh, 'last_backup').state).toBe('pass');
    expect(byName(fresh, 'store').state).toBe('pass');

    if (!outcome.ok) throw new Error('backup failed');
    await f.engine.store.delete(outcome.report.key);
    const emptied = await round(f);
    expect(byName(emptied, 'backup_age')).toMatchObject({ state: 'fail', alert: 'backup_overdue' });
    expect(byName(emptied, 'backup_age').detail).toContain('the store holds no backup from the last 25 h');
  });

  it('a slow but working store (every LIST 120 ms) is not unreachable: the listings share the bound side by side', async () => {
    f = await backupFixture();
    const outcome = await f.engine.backup('daily', 'system');
    expect(outcome.ok).toBe(true);
    const real = f.engine.store;
    let lists = 0;
    const slow: Pick<typeof real, 'list' | 'location'> = {
      location: real.location,
      async *list(prefix?: string) {
        lists += 1;
        await new Promise((r) => setTimeout(r, 120));
        yield* real.list(prefix);
      },
    };
    const r = await runHealthRound({ vault: f.engine.vault, store: slow, catalogue: f.engine.catalogue, timeoutMs: 600, latencyWarnMs: 1000 });
    expect(byName(r, 'store')).toMatchObject({ state: 'pass' });
    expect(byName(r, 'backup_age').state).toBe('pass');
    expect(lists).toBeLessThanOrEqual(8);
  });

  it('no backup at all is overdue, and a restore test that never ran is not judged', async () => {
    f = await backupFixture();
    const r = await round(f);
    expect(byName(r, 'backup_age').state).toBe('fail');
    expect(byName(r, 'restore_test').state).toBe('skip');
    expect(byName(r, 'last_backup').state).toBe('skip');
  });

  it('a failed backup run fails `last_backup` with its step', async () => {
    f = await backupFixture();
    f.vault.faults = { failPaths: { 'sys/storage/raft/snapshot': { status: 500, message: 'raft is on fire' } } };
    const outcome = await f.engine.backup('daily', 'system');
    expect(outcome.ok).toBe(false);
    f.vault.faults = {};
    const r = await round(f);
    expect(byName(r, 'last_backup').state).toBe('fail');
    expect(byName(r, 'last_backup').detail).toContain('failed at snapshot');
  });
});
