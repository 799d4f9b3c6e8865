/**
 * `--json` through the shared helper: one JSON document on stdout and nothing else there, the
 * same exit code as the table form. `health` is the example a monitoring system would parse.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registry } from '../../src/cli/commands.js';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { runCli } from './run-cli.js';

let vault: VaultTestServer;
let dir: string;
beforeAll(async () => {
  vault = await startVaultServer();
  dir = mkdtempSync(join(tmpdir(), 'vc-json-'));
});
afterAll(async () => {
  await vault.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('health --json prints the checks as JSON with the same exit code', async () => {
  const env = { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, DATA_DIR: dir, BACKUP_KEYS: `k1:${randomBytes(32).toString('base64')}` };
  const run = await runCli(['health', '--json'], env);
  expect(run.code).toBe(1);
  const doc = JSON.parse(run.stdout) as { checks: Array<{ name: string; state: string }>; failing: string[] };
  expect(doc.checks.find((c) => c.name === 'sealed')?.state).toBe('pass');
  expect(doc.failing).toEqual(['backup_age']);
  expect(run.stdout).not.toContain(vault.rootToken);
});

it('the listing commands all offer --json', () => {
  const listing = ['backup list', 'backup show', 'health', 'drill', 'report'];
  for (const name of listing) {
    const command = registry.list().find((c) => c.name === name);
    if (command === undefined) continue; // added by another change; checked once it is registered
    const offers = command.flags?.['json'] !== undefined || /json/.test(command.flags?.['format']?.value ?? '');
    expect(offers, name).toBe(true);
  }
});
