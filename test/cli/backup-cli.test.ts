/**
 * The backup commands as an operator types them, with nothing configured but VAULT_ADDR,
 * VAULT_TOKEN and BACKUP_KEYS: the folder store under ./data is the default.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { runCli } from './run-cli.js';

let vault: VaultTestServer;
let dir: string;
let env: Record<string, string>;
const home = process.cwd();

beforeAll(async () => {
  vault = await startVaultServer({ snapshotSize: 200_000 });
  dir = await mkdtemp(join(tmpdir(), 'vc-cli-'));
  process.chdir(dir);
  env = { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, BACKUP_KEYS: `main:${randomBytes(32).toString('base64')}` };
});
afterAll(async () => {
  process.chdir(home);
  await vault.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('backup commands with only VAULT_ADDR, VAULT_TOKEN and BACKUP_KEYS', () => {
  it('backup run writes a verified backup into ./data/backups', async () => {
    const run = await runCli(['backup', 'run'], env);
    expect(run.code).toBe(0);
    const key = /backup (manual\/\S+\.enc) verified/.exec(run.stdout)?.[1];
    expect(key).toBeDefined();
    expect(existsSync(join(dir, 'data', 'backups', key!))).toBe(true);
    expect(existsSync(join(dir, 'data', 'backups', `${key!}.json`))).toBe(true);
  });

  it('backup list, backup verify and a dry-run restore see it', async () => {
    const list = await runCli(['backup', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^manual\/.*\.enc .* verified \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(just now\)$/m);

    const verify = await runCli(['backup', 'verify', 'latest'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/intact \(vcbk1/);

    const restore = await runCli(['restore', 'latest', '--target', 'prod', '--dry-run'], env);
    expect(restore.stdout).toMatch(/dry run finished/);
    expect(restore.code).toBe(0);
    expect(vault.restores).toHaveLength(0);
  });

  it('retention run --dry-run says what it would delete and deletes nothing', async () => {
    const run = await runCli(['retention', 'run', '--dry-run'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1 kept, 0 would delete/);
  });

  it('bad input gets one line and a non-zero exit, never a stack trace', async () => {
    const noTarget = await runCli(['restore', 'latest'], env);
    expect(noTarget.code).toBe(2);
    expect(noTarget.errLines).toHaveLength(1);
    expect(noTarget.errLines[0]).toMatch(/--target prod or --target staging/);

    const badDate = await runCli(['restore', '2025-13-45', '--target', 'prod'], env);
    expect(badDate.code).toBe(2);
    expect(badDate.errLines).toEqual([
      'vault-chatops: "2025-13-45" is not a calendar date; expected <key|latest|YYYY-MM-DD>, e.g. 2025-11-26; usage: vault-chatops restore <YYYY-MM-DD|latest|key> --target prod|staging [--force] [--dry-run] [--yes]',
    ]);
    expect(badDate.stderr).not.toMatch(/\s+at .*\.ts:\d+/);

    const badKind = await runCli(['backup', 'run', '--kind', 'hourly'], env);
    expect(badKind.code).toBe(2);
    expect(badKind.errLines[0]).toMatch(/--kind must be one of daily, monthly, manual/);
  });

  it('a failed backup exits 1 with the step and the reason, and leaves nothing behind', async () => {
    vault.faults.failPaths = { 'sys/storage/raft/snapshot': { status: 500, message: 'raft: snapshot failed' } };
    const run = await runCli(['backup', 'run', '--kind', 'daily'], env);
    vault.faults.failPaths = {};
    expect(run.code).toBe(1);
    expect(run.errLines.at(-1)).toMatch(/^vault-chatops: backup failed at snapshot: .*raft: snapshot failed/);
    expect(run.stderr).not.toContain(env.VAULT_TOKEN);
    expect(run.stderr).not.toMatch(/"level"|\n\s+at /);
    expect(existsSync(join(dir, 'data', 'backups', 'daily'))).toBe(false);
  });

  it('a sealed Vault is one clear line, exit 1', async () => {
    vault.state.sealed = true;
    const run = await runCli(['backup', 'run', '--kind', 'daily'], env);
    vault.state.sealed = false;
    expect(run.code).toBe(1);
    expect(run.errLines.at(-1)).toMatch(/^vault-chatops: Vault at http:\/\/127\.0\.0\.1:\d+ is sealed; unseal it/);
    expect(run.stderr).not.toContain(env.VAULT_TOKEN);
    expect(existsSync(join(dir, 'data', 'backups', 'daily'))).toBe(false);
  });
});

describe('a backup from another cluster', () => {
  it('restore into prod without --force is refused up front (exit 2, naming --force), before any safety snapshot', async () => {
    const other = await startVaultServer({ snapshotSize: 50_000 });
    try {
      const taken = await runCli(['backup', 'run'], { ...env, VAULT_ADDR: other.url, VAULT_TOKEN: other.rootToken });
      expect(taken.code).toBe(0);
      const key = /backup (manual\/\S+\.enc) verified/.exec(taken.stdout)?.[1];
      expect(key).toBeDefined();
      const snapshots = () => vault.requests.filter((r) => r.url.includes('sys/storage/raft/snapshot')).length;
      const snapshotsBefore = snapshots();
      const run = await runCli(['restore', key!, '--target', 'prod', '--yes'], env);
      expect(run.code).toBe(2);
      expect(run.errLines.at(-1)).toMatch(/another cluster.*add --force/);
      expect(existsSync(join(dir, 'data', 'backups', 'pre-restore'))).toBe(false);
      expect(snapshots()).toBe(snapshotsBefore);
      expect(vault.restores).toHaveLength(0);
    } finally {
      await other.stop();
    }
  });
});

describe('backup list and a swapped object', () => {
  it('an older backup copied over a newer name (sidecar too) is listed as DIFFERS from catalogue, not verified', async () => {
    const a = await runCli(['backup', 'run'], env);
    const b = await runCli(['backup', 'run', '--kind', 'daily'], env);
    const older = /backup (manual\/\S+\.enc) verified/.exec(a.stdout)?.[1] ?? '';
    const newer = /backup (daily\/\S+\.enc) verified/.exec(b.stdout)?.[1] ?? '';
    expect(older && newer).toBeTruthy();
    const root = join(dir, 'data', 'backups');
    await copyFile(join(root, older), join(root, newer));
    await copyFile(join(root, `${older}.json`), join(root, `${newer}.json`));

    const list = await runCli(['backup', 'list'], env);
    expect(list.code).toBe(0);
    const line = list.stdout.split('\n').find((l) => l.startsWith(newer)) ?? '';
    expect(line).toMatch(/DIFFERS from catalogue \(sha256/);
    expect(line).not.toMatch(/ verified \d{4}/);
    expect(list.stdout.split('\n').find((l) => l.startsWith(older))).toMatch(/ verified /);

    const json = await runCli(['backup', 'list', '--json'], env);
    const doc = JSON.parse(json.stdout) as { backups: Array<{ key: string; verifiedAt: string | null; differsFromCatalogue?: string[] }> };
    expect(doc.backups.find((r) => r.key === newer)).toMatchObject({ verifiedAt: null, differsFromCatalogue: expect.arrayContaining(['sha256']) });
  });
});

describe('backup show latest while an object is still being written', () => {
  it('shows the newest catalogued backup and names the uncatalogued newer object instead of taking it for the latest', async () => {
    const run = await runCli(['backup', 'run'], env);
    const catalogued = /backup (manual\/\S+\.enc) verified/.exec(run.stdout)?.[1] ?? '';
    expect(catalogued).not.toBe('');
    const root = join(dir, 'data', 'backups');
    const writing = 'manual/2099-01-01/vault-snapshot-20990101-000000.enc';
    await mkdir(join(root, 'manual', '2099-01-01'), { recursive: true });
    await copyFile(join(root, catalogued), join(root, writing));
    try {
      const show = await runCli(['backup', 'show', 'latest'], env);
      expect(show.code).toBe(0);
      expect(show.stdout).toContain(`note       newer ${writing} is not in the catalogue`);
      expect(show.stdout).toMatch(/^backup {5}(\S+)$/m);
      expect(/^backup {5}(\S+)$/m.exec(show.stdout)?.[1]).not.toBe(writing);
      expect(show.stdout).toMatch(/^catalogue {2}verified /m);
    } finally {
      await rm(join(root, 'manual', '2099-01-01'), { recursive: true, force: true });
    }
  });
});

describe('a backup run left by a killed process', () => {
  it('is reported as "was interrupted", never as "backup failed at interrupted"', async () => {
    const db = new BetterSqlite3(join(dir, 'data', 'vault-chatops.db'));
    const dead = randomUUID();
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'old-pod:1', '2025-11-26T02:00:00.000Z')`).run(dead);
    db.prepare(`INSERT INTO backup_runs (kind, key, status, started_at, owner) VALUES ('daily', NULL, 'running', '2025-11-26T02:00:00Z', ?)`).run(dead);
    db.close();
    const run = await runCli(['backup', 'run'], env);
    expect(run.code).toBe(0);
    expect(run.errLines).toContainEqual(expect.stringMatching(/^vault-chatops: an earlier daily backup was interrupted: The daily backup started 2025-11-26T02:00:00Z was interrupted/));
    expect(run.stderr).not.toContain('failed at interrupted');
  });
});
