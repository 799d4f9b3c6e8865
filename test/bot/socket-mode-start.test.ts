/**
 * `vault-chatops start` in Socket Mode with an app-level token Slack refuses: the process stops by
 * itself with one line naming SLACK_APP_TOKEN, no stack trace, and nothing left listening.
 * Spawned as a real process (the CLI's own entry, run from source), because "stops" and "one line
 * on stderr" are properties of the process, not of a function.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../support/slack/index.js';
import { startSocketModeServer, type SocketModeServer } from '../support/slack/socket-mode-server.js';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A spawned `start` loads the whole bot through tsx: seconds on a busy machine. */
const SPAWN_TEST_MS = 45_000;
const ENTRY = "import { main } from './src/cli.ts'; process.exitCode = await main(process.argv.slice(1));";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runStart(env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start did not stop within ${timeoutMs} ms; stderr: ${stderr}; stdout: ${stdout.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('start in Socket Mode with a refused app token', () => {
  let fake: FakeSlack;
  let socket: SocketModeServer;
  let vault: VaultTestServer;
  let dataDir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    fake = await startFakeSlack();
    socket = await startSocketModeServer({ upstream: fake });
    vault = await startVaultServer({ snapshotSize: 16 * 1024 });
    dataDir = mkdtempSync(join(tmpdir(), 'vc-socket-start-'));
    env = {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_API_URL: socket.apiUrl,
      SLACK_OPS_CHANNEL: 'C0VAULTOPS',
      SLACK_APPROVERS: 'U0ALICE,U0BOB,U0CAROL',
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      BACKUP_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      DATA_DIR: dataDir,
      AUDIT_KEY: 'test-audit-key-0123456789abcdef',
      PORT: String(await freePort()),
      BACKUP_CRON: '0 2 * * *',
    };
  });
  afterEach(async () => {
    await Promise.all([socket.stop(), fake.stop(), vault.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops with one line naming SLACK_APP_TOKEN and no stack trace', async () => {
    const badToken = 'xapp-1-A0VAULTAPP-1-revoked0123456789';
    const run = await runStart({ ...env, SLACK_APP_TOKEN: badToken });
    expect(run.code).not.toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SLACK_APP_TOKEN/);
    expect(lines[0]).toMatch(/invalid_auth/);
    expect(run.stderr + run.stdout).not.toMatch(/\n\s+at /);
    expect(run.stderr + run.stdout).not.toContain(badToken);
    expect(socket.opens).toEqual([expect.objectContaining({ ok: false, error: 'invalid_auth' })]);
  }, SPAWN_TEST_MS);

  it('starts and stays up with the right token (the same set-up, so the refusal is the token)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, SLACK_APP_TOKEN: socket.appToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await socket.waitForConnections(1, 30_000);
      expect(socket.opens.at(-1)).toMatchObject({ ok: true });
      const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, SPAWN_TEST_MS);
});
