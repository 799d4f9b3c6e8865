/**
 * The break-glass CLI in the outage it is for: with Vault unreachable (or not configured at all)
 * an operator can still list, show and verify backups and dry-run retention; only commands that
 * talk to Vault log in. Restores from the CLI are confirmed and attributed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { openDatabase } from '../../src/core/db/open-database.js';
import { main } from '../../src/cli.js';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { runCli } from './run-cli.js';

let vault: VaultTestServer;
let dir: string;
let env: Record<string, string>;
/** Nothing listens on port 9 (discard) here: every connection is refused. */
const DOWN = 'http://127.0.0.1:9';
let first = '';
let second = '';

beforeAll(async () => {
  vault = await startVaultServer({ snapshotSize: 50_000 });
  dir = await mkdtemp(join(tmpdir(), 'vc-glass-'));
  env = {
    VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, BACKUP_KEYS: `main:${randomBytes(32).toString('base64')}`,
    DATA_DIR: join(dir, 'data'), BACKUP_STORE: join(dir, 'store'), AUDIT_KEY: 'k'.repeat(32),
  };
  const a = await runCli(['backup', 'run'], env);
  expect(a.code).toBe(0);
  first = /backup (manual\/\S+\.enc) verified/.exec(a.stdout)?.[1] ?? '';
  const b = await runCli(['backup', 'run', '--kind', 'daily'], env);
  expect(b.code).toBe(0);
  second = /backup (daily\/\S+\.enc) verified/.exec(b.stdout)?.[1] ?? '';
});
afterAll(async () => {
  await vault.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('with Vault unreachable', () => {
  const down = () => ({ ...env, VAULT_ADDR: DOWN });
  const noVault = () => ({ DATA_DIR: env.DATA_DIR!, BACKUP_STORE: env.BACKUP_STORE!, BACKUP_KEYS: env.BACKUP_KEYS!, AUDIT_KEY: env.AUDIT_KEY! });

  it('backup list, show and verify work and exit 0', async () => {
    for (const e of [down(), noVault()]) {
      const list = await runCli(['backup', 'list'], e);
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(`${second}  `);
      expect(list.stdout).toMatch(/verified \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \((just now|\d+ s ago)\)/);
      expect(list.stdout).toMatch(/^2 backups in file:\/\//m);

      const verify = await runCli(['backup', 'verify', 'latest'], e);
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/intact \(vcbk1/);

      const show = await runCli(['backup', 'show', second], e);
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/^ {2}audit-head +\d+:[0-9a-f]{64}$/m);
    }
  });

  it('retention run --dry-run works and exits 0', async () => {
    const run = await runCli(['retention', 'run', '--dry-run'], down());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/kept, 0 would delete/);
  });

  it('a command that talks to Vault still says it cannot reach it', async () => {
    const run = await runCli(['backup', 'run'], down());
    expect(run.code).toBe(1);
    expect(run.errLines).toHaveLength(1);
    expect(run.errLines[0]).toMatch(/127\.0\.0\.1:9/);
  });
});

describe('backup list', () => {
  it('--kind pre-restore is accepted as a filter', async () => {
    const run = await runCli(['backup', 'list', '--kind', 'pre-restore'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`no pre-restore backups in file://${env.BACKUP_STORE}\n`);
  });

  it('--json prints one JSON document with every backup', async () => {
    const run = await runCli(['backup', 'list', '--json'], env);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { store: string; backups: Array<{ key: string; kind: string; inCatalogue: boolean; storedBytes: number }> };
    expect(doc.backups.map((b) => b.key).sort()).toEqual([second, first].sort());
    expect(doc.backups.every((b) => b.inCatalogue && b.storedBytes > 0)).toBe(true);
  });
});

describe('backup show', () => {
  it('prints every metadata field, the catalogue state and the history', async () => {
    const run = await runCli(['backup', 'show', second], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`backup     ${second}\n`);
    for (const key of ['sha256', 'plain-sha256', 'plain-size', 'key-id', 'format', 'vault-version', 'created-at', 'kind', 'audit-head', 'cluster']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${key} +\\S`, 'm'));
    }
    expect(run.stdout).toMatch(/^catalogue {2}verified .* UTC \((just now|.* ago)\); its sha256 and size match the object$/m);
    expect(run.stdout).toMatch(/^history \(audit log\):\n( {2}.*\n)* {2}\S+ {2}#\d+ {2}cli:\S+@\S+ {2}backup\.succeeded {2}/m);
  });

  it('a date shows the daily backup and names the other one of that day', async () => {
    const day = second.split('/')[1] ?? '';
    const run = await runCli(['backup', 'show', day], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`backup     ${second}\n`);
    expect(run.stdout).toContain(`also on ${day}: ${first} (give its key instead of the date to use it)`);
    const restore = await runCli(['restore', day, '--target', 'prod', '--dry-run'], env);
    expect(restore.stdout).toContain(`Backup: ${second}`);
    // Named once, by the plan's own facts (the same line Slack shows), not a second listing of the store.
    expect(restore.stdout).toContain(`Also that day: ${first} (request again with its key instead of the date to restore it)`);
    expect(restore.stdout).not.toContain(`also on ${day}`);
    const verify = await runCli(['backup', 'verify', day], env);
    expect(verify.stdout).toContain(`${second}: intact`);
    expect(verify.stdout).toContain(`also on ${day}: ${first} (give its key instead of the date to use it)`);
  });

  it('--json carries the metadata, catalogue entry and history', async () => {
    const run = await runCli(['backup', 'show', first, '--json'], env);
    const doc = JSON.parse(run.stdout) as { key: string; metadata: Record<string, string>; catalogue: { state: string }; history: Array<{ event: string }> };
    expect(doc.key).toBe(first);
    expect(doc.metadata['audit-head']).toMatch(/^\d+:[0-9a-f]{64}$/);
    expect(doc.catalogue.state).toBe('verified');
    expect(doc.history.map((h) => h.event)).toContain('backup.succeeded');
  });

  it('a backup whose catalogue sha256 differs from the object says so', async () => {
    const db = openDatabase(env.DATA_DIR!);
    db.prepare(`UPDATE backups SET sha256 = ? WHERE key = ?`).run('0'.repeat(64), first);
    db.close();
    const run = await runCli(['backup', 'show', first], env);
    expect(run.stdout).toMatch(/^catalogue {2}DIFFERS from the object \(sha256\).*do not restore it$/m);
  });
});

describe('verification history', () => {
  it('backup verify is recorded with the person who ran it', async () => {
    const run = await runCli(['backup', 'verify', second], env);
    expect(run.code).toBe(0);
    const db = openDatabase(env.DATA_DIR!);
    const rows = new AuditLog(db, { key: env.AUDIT_KEY! }).aboutTarget(second);
    db.close();
    const check = rows.find((r) => r.event === 'backup.verify-checked');
    expect(check?.actor).toBe(`cli:${userInfo().username}@${hostname()}`);
    const show = await runCli(['backup', 'show', second], env);
    expect(show.stdout).toMatch(/backup\.verify-checked .*ok=true/);
  });
});

describe('restores from the CLI', () => {
  it('without a terminal, a restore needs --yes and touches nothing', async () => {
    const run = await runCli(['restore', 'latest', '--target', 'prod'], env);
    expect(run.code).toBe(2);
    expect(run.errLines).toEqual(['vault-chatops: restore overwrites the production Vault and there is no terminal to confirm on; add --yes to run it unattended']);
    expect(vault.restores).toHaveLength(0);
  });

  it('with --yes it runs and the audit log names the OS user and host', async () => {
    const run = await runCli(['restore', second, '--target', 'production', '--yes'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^restored in /m);
    expect(vault.restores).toHaveLength(1);
    const db = openDatabase(env.DATA_DIR!);
    const rows = new AuditLog(db, { key: env.AUDIT_KEY! }).tail(30).filter((r) => r.event.startsWith('restore.'));
    db.close();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.actor).toBe(`cli:${userInfo().username}@${hostname()}`);
  });

  it('on a terminal it shows the plan and a "no" changes nothing', async () => {
    const before = vault.restores.length;
    const stdin = new PassThrough();
    let out = '';
    let err = '';
    const running = main(['restore', second, '--target', 'prod'], {
      stdout: { write: (c: string) => (out += c) }, stderr: { write: (c: string) => (err += c) },
      env, stdin, interactive: true,
    });
    await waitFor(() => err.includes('Type "yes"'));
    expect(err).toContain(`  object:          ${second}\n`);
    expect(err).toMatch(/ {2}sha256: {10}[0-9a-f]{64}\n/);
    expect(err).toMatch(/ {2}target: {10}production \(http:\/\/127\.0\.0\.1:\d+\)\n/);
    expect(err).toMatch(/ {2}safety snapshot: a backup of the target is taken first/);
    stdin.end('no\n');
    expect(await running).toBe(1);
    expect(err).toContain('vault-chatops: restore cancelled; nothing was changed');
    expect(vault.restores.length).toBe(before);
    expect(out).toContain(`Backup: ${second}`);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}
