/**
 * The CLI on a real (pseudo-)terminal, through util-linux `script`: a restore shows its plan and
 * waits for "yes", and long work draws a progress bar. Without a terminal neither happens.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { runCli } from './run-cli.js';

let vault: VaultTestServer;
let dir: string;
let env: Record<string, string>;
let key = '';
const ENTRY = join(process.cwd(), 'test/cli/cli-entry.ts');

beforeAll(async () => {
  vault = await startVaultServer({ snapshotSize: 3_000_000 });
  dir = await mkdtemp(join(tmpdir(), 'vc-tty-'));
  env = {
    VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, BACKUP_KEYS: `main:${randomBytes(32).toString('base64')}`,
    DATA_DIR: join(dir, 'data'), BACKUP_STORE: join(dir, 'store'), AUDIT_KEY: 'k'.repeat(32),
  };
  const run = await runCli(['backup', 'run', '--kind', 'daily'], env);
  expect(run.code).toBe(0);
  key = /backup (daily\/\S+\.enc) verified/.exec(run.stdout)?.[1] ?? '';
});
afterAll(async () => {
  await vault.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI on a pseudo-terminal; `answer` is typed once `prompt` appears. Output is the terminal's. */
function onTerminal(args: string[], answer?: { prompt: string; text: string }): Promise<{ code: number | null; screen: string }> {
  const command = ['node', '--import', 'tsx', ENTRY, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, ...env, LOG_LEVEL: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    if (answer && !answered && screen.includes(answer.prompt)) {
      answered = true;
      child.stdin.write(`${answer.text}\n`);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

describe('on a terminal', () => {
  it('a restore shows the plan, waits for "yes", then runs with a progress bar', async () => {
    const before = vault.restores.length;
    const { code, screen } = await onTerminal(['restore', key, '--target', 'prod'], { prompt: 'Type "yes" to go on:', text: 'yes' });
    expect(screen).toContain(`object:          ${key}`);
    expect(screen).toMatch(/sha256: {10}[0-9a-f]{64}/);
    expect(screen).toMatch(/Restore into production now\? Type "yes" to go on:/);
    expect(screen).toMatch(/download daily\/\S+ {2}\[#{20}\] {2}100% {2}[\d.]+ MiB of [\d.]+ MiB/);
    expect(screen).toMatch(/restored in /);
    expect(code).toBe(0);
    expect(vault.restores.length).toBe(before + 1);
  }, 30_000);

  it('any answer but "yes" cancels and exits 1', async () => {
    const before = vault.restores.length;
    const { code, screen } = await onTerminal(['restore', key, '--target', 'prod'], { prompt: 'Type "yes" to go on:', text: 'y' });
    expect(screen).toContain('vault-chatops: restore cancelled; nothing was changed');
    expect(code).toBe(1);
    expect(vault.restores.length).toBe(before);
  }, 30_000);

  it('backup run draws an upload bar with the bytes and the rate, then the result line', async () => {
    const { code, screen } = await onTerminal(['backup', 'run']);
    expect(code).toBe(0);
    expect(screen).toMatch(/\r\u001b\[2Kupload manual\/\S+ {2}[\d.]+ (KiB|MiB) {2}[\d.]+ (B|KiB|MiB|GiB)\/s/);
    expect(screen).toMatch(/backup manual\/\S+ verified in file:\/\//);
  }, 30_000);

  it('backup verify draws a progress bar; without a terminal it does not', async () => {
    const { code, screen } = await onTerminal(['backup', 'verify', key]);
    expect(code).toBe(0);
    expect(screen).toMatch(/\r\u001b\[2Kdownload daily\/\S+ {2}\[#{20}\] {2}100%/);
    const piped = await runCli(['backup', 'verify', key], env);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('download');
  }, 30_000);
});
