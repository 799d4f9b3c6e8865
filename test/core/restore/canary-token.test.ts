/**
 * VAULT_CANARY_TOKEN (issue 7 item 9): the weekly restore test used to send production's bot token
 * to the staging host for the canary read. With a dedicated canary token set, that token (allowed
 * only to read the canary) is the one used; without it, start-up says so in one line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { configWarnings } from '../../../src/core/config/warnings.js';
import { startVaultServer } from '../../support/vault/server.js';
import type { VaultTestServer } from '../../support/vault/types.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const fixtures: BackupFixture[] = [];
const servers: VaultTestServer[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const tokenOf = (r: { headers: Record<string, string | string[] | undefined> }) => r.headers['x-vault-token'];

describe('VAULT_CANARY_TOKEN', () => {
  it('is the token the canary is read with on staging after the restore test; production\'s own token never goes there', async () => {
    const staging = await startVaultServer({ snapshotSize: 64 * 1024 });
    servers.push(staging);
    let canaryToken = '';
    const f = await backupFixture({
      staging, canaryTimeoutMs: 5000, env: { VAULT_CANARY_PATH: 'secret/data/canary' },
      envFrom: (vault) => {
        canaryToken = vault.createToken({ policies: { 'secret/data/canary': ['read'] }, ttl: 3600 });
        return { VAULT_CANARY_TOKEN: canaryToken };
      },
    });
    fixtures.push(f);
    f.vault.putSecret('canary', { value: 'alive' });
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;

    const outcome = await f.engine.restoreTest();
    expect(outcome?.ok).toBe(true);
    expect(outcome?.report.canary).toBe('ok');
    const canaryReads = staging.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/v1/secret/data/canary'));
    expect(canaryReads.length).toBeGreaterThan(0);
    expect(canaryReads.every((r) => tokenOf(r) === canaryToken)).toBe(true);
    expect(staging.requests.filter((r) => tokenOf(r) === f.vault.rootToken)).toEqual([]);
  });

  it('unset while a canary path is set: one start-up warning line; set, or no canary: none', () => {
    const base = { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'hvs.bot-token' };
    const unset = loadConfig({ ...base, VAULT_CANARY_PATH: 'secret/data/canary' }, ['vault']);
    if (!unset.ok) throw new Error(unset.problems.join('\n'));
    const lines = configWarnings(unset.config);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: VAULT_CANARY_TOKEN is not set, so the canary read after every restore \(staging included\) uses the bot's own production credentials; set it to/);
    expect(lines[0]).not.toContain('hvs.bot-token');
    const set = loadConfig({ ...base, VAULT_CANARY_PATH: 'secret/data/canary', VAULT_CANARY_TOKEN: 'hvs.canary' }, ['vault']);
    expect(set.ok && configWarnings(set.config)).toEqual([]);
    const noCanary = loadConfig(base, ['vault']);
    expect(noCanary.ok && configWarnings(noCanary.config)).toEqual([]);
  });
});
