/**
 * docs/RECOVERY.md, run as written: every plain ```sh block (curl, node, jq, coreutils) is taken
 * from the document and run in order by bash against the Vault test server, with the setup block's
 * variables pointing at it and the backup key typed on stdin. The document cannot drift from the
 * code: a renamed metadata key, a changed script flag or a wrong API path fails here.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { runCli } from '../cli/run-cli.js';

const DOC = readFileSync('docs/RECOVERY.md', 'utf8');

/** Fenced blocks as [info string, body]. */
function blocks(markdown: string): Array<{ info: string; body: string }> {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: (m[1] ?? '').trim(), body: m[2] ?? '' }));
}

function bash(script: string, env: Record<string, string>, cwd: string, stdin: string): Promise<{ code: number | null; out: string }> {
  const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

let vault: VaultTestServer;
let dir: string;
let key: Buffer;
let backup = '';

beforeAll(async () => {
  vault = await startVaultServer({ snapshotSize: 300_000 });
  dir = await mkdtemp(join(tmpdir(), 'vc-runbook-'));
  const canary = await fetch(`${vault.url}/v1/secret/data/canary`, {
    method: 'POST', headers: { 'X-Vault-Token': vault.rootToken }, body: JSON.stringify({ data: { value: 'alive' } }),
  });
  expect(canary.ok).toBe(true);
  key = randomBytes(32);
  const env = { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, BACKUP_KEYS: `main:${key.toString('base64')}`, DATA_DIR: join(dir, 'data'), BACKUP_STORE: join(dir, 'store') };
  const run = await runCli(['backup', 'run', '--kind', 'daily'], env);
  expect(run.code).toBe(0);
  backup = /backup (daily\/\S+\.enc) verified/.exec(run.stdout)?.[1] ?? '';
  mkdirSync(join(dir, 'work', 'scripts'), { recursive: true });
  copyFileSync('scripts/decrypt-backup.mjs', join(dir, 'work', 'scripts', 'decrypt-backup.mjs'));
});
afterAll(async () => {
  await vault.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('docs/RECOVERY.md', () => {
  const all = blocks(DOC);
  const runnable = all.filter((b) => b.info === 'sh');

  it('sets every variable its commands use in the setup block', () => {
    const setup = all.find((b) => b.info === 'sh setup')?.body ?? '';
    for (const name of ['VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_CANARY_PATH', 'STORE', 'BACKUP', 'BAO_ADDR', 'BAO_TOKEN']) expect(setup).toContain(name);
  });

  it('gives each vault CLI step for OpenBao too, and a curl way for every Vault call', () => {
    const cli = all.filter((b) => b.info === 'sh cli').map((b) => b.body).join('\n');
    for (const step of ['status', 'operator raft snapshot save', 'operator raft snapshot restore', 'kv get']) {
      expect(cli).toContain(`vault ${step}`);
      expect(cli).toContain(`bao ${step}`);
    }
    const curl = runnable.map((b) => b.body).join('\n');
    for (const path of ['/v1/sys/seal-status', '/v1/sys/storage/raft/snapshot', '/v1/$VAULT_CANARY_PATH']) expect(curl).toContain(path);
    expect(curl).toContain('-X POST');
  });

  it('never uses curl --fail, which hides Vault\'s reason', () => {
    for (const b of all) expect(b.body).not.toMatch(/--fail(?!-with-body)\b|\s-f\s/);
  });

  it('runs end to end against a Vault: fetch, check, decrypt, safety snapshot, restore, prove', async () => {
    const work = join(dir, 'work');
    const before = vault.restores.length;
    const env = { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, VAULT_CANARY_PATH: 'secret/data/canary', STORE: join(dir, 'store'), BACKUP: backup };
    const script = runnable.map((b) => b.body).join('\n');
    const { code, out } = await bash(script, env, work, `${key.toString('base64')}\n`);
    expect(out).toMatch(new RegExp(`${backup.split('/').pop()!.replace('.', '\\.')}: OK`));
    expect(out).toMatch(/decrypt-backup: wrote vault\.snap \(vcbk1, authenticated\)/);
    expect(out).toMatch(/vault\.snap: OK/);
    expect(out).toMatch(/"sealed": false/);
    expect(out).toContain('restore accepted');
    expect(out).toMatch(/^true$/m);
    expect(out).toMatch(/"version": 1/);
    expect(out).not.toContain(key.toString('base64'));
    expect(code).toBe(0);
    expect(vault.restores.length).toBe(before + 1);
    expect(readdirSync(work).some((f) => /^pre-restore-\d{8}-\d{6}\.snap$/.test(f))).toBe(true);
    expect(existsSync(join(work, 'vault.snap.partial'))).toBe(false);
  }, 30_000);

  it('a curl step shows Vault\'s reason when it fails', async () => {
    const restore = runnable.find((b) => b.body.includes('-X POST'))?.body ?? '';
    const { code, out } = await bash(restore, { VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.not-a-token' }, join(dir, 'work'), '');
    expect(code).not.toBe(0);
    expect(out).toContain('permission denied');
    expect(out).not.toContain('restore accepted');
  });

  it('the decrypt script explains itself with --help', async () => {
    const { code, out } = await bash('node scripts/decrypt-backup.mjs --help', {}, join(dir, 'work'), '');
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: node decrypt-backup\.mjs/m);
    expect(out).toContain('"<id>:<base64>" as it appears in');
  });
});
