/**
 * The drill and recover commands for when Slack is down, against a production and a staging Vault
 * test server: `drill restore-test --json` restores into staging only and reports its steps and
 * the target; `drill backup-integrity` names a corrupted backup and exits 1; `recover` writes the
 * backup's value back as a new version and prints versions, never values; both refuse without staging.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/core/drills/index.js';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { runCli } from './run-cli.js';

let prod: VaultTestServer;
let staging: VaultTestServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  prod = await startVaultServer({ snapshotSize: 32 * 1024 });
  staging = await startVaultServer({ snapshotSize: 32 * 1024 });
  dir = await mkdtemp(join(tmpdir(), 'vc-drill-cli-'));
  env = {
    VAULT_ADDR: prod.url, VAULT_TOKEN: prod.rootToken, VAULT_STAGING_ADDR: staging.url, VAULT_STAGING_TOKEN: staging.rootToken,
    BACKUP_KEYS: `main:${randomBytes(32).toString('base64')}`, DATA_DIR: join(dir, 'data'), BACKUP_STORE: join(dir, 'backups'),
    AUDIT_KEY: 'drill-cli-audit-key-0123456789',
  };
});
afterAll(async () => {
  await Promise.all([prod.stop(), staging.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('drill and recover on the command line', () => {
  it('recover brings an overwritten secret back as a new version, printing versions only', async () => {
    prod.putSecret('smtp', { password: 'cli-original-5k6j' });
    expect((await runCli(['backup', 'run'], env)).code).toBe(0);
    prod.putSecret('smtp', { password: 'cli-wrong-8h9g' });
    const noTerminal = await runCli(['recover', 'secret/smtp'], env);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('add --yes');

    const run = await runCli(['recover', 'secret/smtp', '--from', 'latest', '--yes'], env);
    expect(run.errLines.filter((l) => !l.includes('warning'))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('secret/smtp: version 2 → 3');
    expect(run.stdout).toMatch(/recovered 1 of 1 from manual\/\S+ in /);
    expect(run.stdout + run.stderr).not.toMatch(/cli-original-5k6j|cli-wrong-8h9g/);
    const res = await fetch(`${prod.url}/v1/secret/data/smtp`, { headers: { 'X-Vault-Token': prod.rootToken } });
    const body = (await res.json()) as { data: { data: Record<string, string>; metadata: { version: number } } };
    expect(body.data).toMatchObject({ data: { password: 'cli-original-5k6j' }, metadata: { version: 3 } });
  });

  it('drill restore-test --json restores the latest backup into staging and measures it against the target', async () => {
    const before = staging.restores.length;
    const run = await runCli(['drill', 'restore-test', '--json'], { ...env, RTO_RESTORE_MINUTES: '30' });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as DrillReport;
    expect(report).toMatchObject({ scenario: 'restore-test', trigger: 'cli', status: 'passed', targetMs: 1_800_000, met: true, failures: [] });
    expect(report.actor).toMatch(/^cli:/);
    expect(report.steps.map((s) => s.name)).toEqual(['resolve the latest backup', 'restore into staging (download, decrypt, safety snapshot, restore, canary)']);
    expect(report.steps.every((s) => s.ok && Number.isInteger(s.ms))).toBe(true);
    expect(staging.restores.length).toBe(before + 1);
    expect(prod.restores).toHaveLength(0);
  });

  it('drill --json stays valid JSON on stdout when start-up reports an interrupted run: the notice goes to stderr', async () => {
    const db = new BetterSqlite3(join(dir, 'data', 'vault-chatops.db'));
    const dead = randomUUID();
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'old-pod:1', '2025-11-26T02:00:00.000Z')`).run(dead);
    db.prepare(`INSERT INTO restores (key, target, purpose, dry_run, status, started_at, owner) VALUES ('manual/2025-11-25/vault-snapshot-20251125-020000.enc', 'staging', 'restore-test', 0, 'running', '2025-11-26T02:00:00Z', ?)`).run(dead);
    db.close();
    const run = await runCli(['drill', 'restore-test', '--json'], { ...env, RTO_RESTORE_MINUTES: '30' });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as DrillReport).status).toBe('passed');
    expect(run.stderr).toMatch(/restore-test of manual\/2025-11-25\/vault-snapshot-20251125-020000\.enc into staging .* was interrupted/);
  });

  it('drill backup-integrity names the corrupted backup and exits 1', async () => {
    const second = await runCli(['backup', 'run'], env);
    const key = /backup (manual\/\S+\.enc) verified/.exec(second.stdout)?.[1] ?? '';
    const file = join(dir, 'backups', key);
    const bytes = await readFile(file);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    const run = await runCli(['drill', 'backup-integrity'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Drill backup-integrity failed (1 failure)');
    expect(run.stdout).toMatch(new RegExp(`FAIL ${key.replace(/[.]/g, '\\.')} — `));
    expect(run.stdout).toMatch(/Failures:\n {2}manual\/\S+\.enc: /);
    const newest = await runCli(['drill', 'backup-integrity', '--newest', '1', '--json'], env);
    expect((JSON.parse(newest.stdout) as DrillReport).steps.filter((s) => s.name.startsWith('manual/'))).toHaveLength(1);
  });

  it('refuses without staging, and refuses drills the CLI does not run', async () => {
    const { VAULT_STAGING_ADDR: _a, VAULT_STAGING_TOKEN: _t, ...noStaging } = env;
    const drill = await runCli(['drill', 'restore-test'], noStaging);
    expect(drill.code).not.toBe(0);
    expect(drill.stderr).toContain('set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN');
    const recover = await runCli(['recover', 'secret/smtp', '--yes'], noStaging);
    expect(recover.code).not.toBe(0);
    expect(recover.stderr).toContain('set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN');
    const seal = await runCli(['drill', 'seal'], env);
    expect(seal.code).toBe(2);
    expect(seal.stderr).toContain('use restore-test or backup-integrity');
  });
});
