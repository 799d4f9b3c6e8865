/**
 * `/vault recover` from Slack to two Vaults: the backup is restored into staging (forced, after a
 * safety snapshot), read there with production's credentials, and each secret is written back to
 * production as a new version with check-and-set on the version seen at request time. Nothing
 * else in production changes, a secret changed after the request is skipped, and no recovered
 * value reaches Slack, the log or the audit log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { VaultTestServer } from '../support/vault/types.js';
import { OPS, ephemeralTexts, parentText, requestMessage, threadTexts, type BotHarness } from './bot-harness.js';
import { backupNow, useStagingHarness } from './staging-harness.js';

interface KvState { version: number; data: Record<string, unknown> | null }

async function kv(vault: VaultTestServer, path: string): Promise<KvState | undefined> {
  const res = await fetch(`${vault.url}/v1/secret/data/${path}`, { headers: { 'X-Vault-Token': vault.rootToken } });
  if (res.status === 404) {
    const body = (await res.json()) as { data?: { data: null; metadata: { version: number } } };
    return body.data ? { version: body.data.metadata.version, data: null } : undefined;
  }
  const body = (await res.json()) as { data: { data: Record<string, unknown>; metadata: { version: number } } };
  return { version: body.data.metadata.version, data: body.data.data };
}

async function approveTwice(h: BotHarness): Promise<ReturnType<typeof requestMessage>> {
  const parent = requestMessage(h);
  await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
  await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
  return parent;
}

/** Every place a value could leak: Slack calls (args and answers), log lines, audit rows. */
function leaks(h: BotHarness, values: string[]): string[] {
  const slack = JSON.stringify(h.fake.calls);
  const logs = h.logs.join('\n');
  const audit = JSON.stringify(h.db.prepare('SELECT * FROM audit_log').all());
  return values.filter((v) => slack.includes(v) || logs.includes(v) || audit.includes(v));
}

describe('recover through Slack', () => {
  const harness = useStagingHarness();

  it('brings an overwritten secret back as a new version and leaves every other secret alone', async () => {
    const { h, staging } = await harness.start();
    h.vault.putSecret('smtp', { password: 'smtp-original-7f3a9c' });
    h.vault.putSecret('dkim', { private_key: 'dkim-original-1b2c3d' });
    h.vault.putSecret('app/db', { password: 'db-original-4e5f6a' });
    const key = await backupNow(h);
    // After the backup: the SMTP password is overwritten by mistake, and the database password is rotated on purpose.
    h.vault.putSecret('smtp', { password: 'smtp-wrong-9z8y7x' });
    h.vault.putSecret('app/db', { password: 'db-rotated-5d6e7f' });

    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/smtp' });
    const shown = parentText(h);
    expect(shown).toContain('Secret recovery requested by @U0ALICE');
    expect(shown).toMatch(/Secret\nsecret\/smtp/);
    expect(shown).toContain(key);
    expect(shown).toMatch(/Production now\nversion 2/);
    expect(staging.restores).toHaveLength(0);

    const parent = await approveTwice(h);

    expect(staging.restores).toHaveLength(1);
    expect(staging.restores[0]?.force).toBe(true);
    expect(await kv(h.vault, 'smtp')).toEqual({ version: 3, data: { password: 'smtp-original-7f3a9c' } });
    expect(await kv(h.vault, 'app/db')).toEqual({ version: 2, data: { password: 'db-rotated-5d6e7f' } });
    expect(await kv(h.vault, 'dkim')).toEqual({ version: 1, data: { private_key: 'dkim-original-1b2c3d' } });
    // Production's raft state was never restored: only KV writes reached it.
    expect(h.vault.restores).toHaveLength(0);
    const writes = h.vault.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/secret/data/'));
    expect(writes.map((r) => r.url)).toEqual(['/v1/secret/data/smtp']);
    expect(JSON.parse(writes[0]?.bodyText ?? '{}').options).toEqual({ cas: 2 });

    const result = threadTexts(h, parent).find((t) => t.includes('Recovered'));
    expect(result).toContain(`Recovered 1 of 1 secret at secret/smtp from ${key}`);
    expect(result).not.toMatch(/_\(ran | in [\d.]+ (ms|s)/);
    expect(result).toContain('secret/smtp: version 2 → 3');
    expect(result).toMatch(/Took\n[\d.]+ (ms|s)/);
    expect(result).toMatch(/Safety snapshot of staging\n(staging\/)?pre-restore\//);
    expect(parentText(h, parent)).toContain('Done · 2 of 2 approvals: @U0BOB and @U0CAROL');
    expect(leaks(h, ['smtp-original-7f3a9c', 'smtp-wrong-9z8y7x', 'dkim-original-1b2c3d', 'db-original-4e5f6a', 'db-rotated-5d6e7f'])).toEqual([]);
    const events = h.bot.deps.audit.tail(80).map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['recover.started', 'recover.started', 'recover.secret-written', 'recover.succeeded']));
  });

  it('skips and reports a secret that changed between the request and the approval', async () => {
    const { h } = await harness.start();
    h.vault.putSecret('smtp', { password: 'smtp-original-7f3a9c' });
    await backupNow(h);
    h.vault.putSecret('smtp', { password: 'smtp-wrong-9z8y7x' });
    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/smtp from latest' });
    // Someone fixes it by hand while the request waits.
    h.vault.putSecret('smtp', { password: 'smtp-fixed-by-hand-2k3l' });

    const parent = await approveTwice(h);

    expect(await kv(h.vault, 'smtp')).toEqual({ version: 3, data: { password: 'smtp-fixed-by-hand-2k3l' } });
    const result = threadTexts(h, parent).find((t) => t.includes('Recovered'));
    expect(result).toContain('Recovered 0 of 1 secret');
    expect(result).toContain('secret/smtp: changed in production since the request (version 2 then, 3 now)');
    expect(leaks(h, ['smtp-original-7f3a9c', 'smtp-wrong-9z8y7x', 'smtp-fixed-by-hand-2k3l'])).toEqual([]);
  });

  it('recovers exactly the secrets under a folder: overwritten and lost ones, nothing next to it', async () => {
    const { h } = await harness.start();
    h.vault.putSecret('tenants/acme/db', { password: 'acme-db-orig-111' });
    h.vault.putSecret('tenants/acme/mail/dkim', { private_key: 'acme-dkim-orig-222' });
    h.vault.putSecret('tenants/acme/same', { token: 'acme-same-333' });
    h.vault.putSecret('tenants/acmex/db', { password: 'acmex-db-orig-444' });
    h.vault.putSecret('tenants/other/db', { password: 'other-db-orig-555' });
    await backupNow(h);
    h.vault.putSecret('tenants/acme/db', { password: 'acme-db-bad-666' });
    h.vault.putSecret('tenants/acme/new', { password: 'acme-new-777' });
    h.vault.putSecret('tenants/acmex/db', { password: 'acmex-db-bad-888' });
    h.vault.putSecret('tenants/other/db', { password: 'other-db-bad-999' });
    // The DKIM key is lost entirely (metadata deleted).
    await fetch(`${h.vault.url}/v1/secret/metadata/tenants/acme/mail/dkim`, { method: 'DELETE', headers: { 'X-Vault-Token': h.vault.rootToken } });

    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/tenants/acme/ from 2025-11-26' });
    expect(parentText(h)).toMatch(/Secrets\neverything under secret\/tenants\/acme\/ in the backup/);
    const parent = await approveTwice(h);

    expect(await kv(h.vault, 'tenants/acme/db')).toEqual({ version: 3, data: { password: 'acme-db-orig-111' } });
    expect(await kv(h.vault, 'tenants/acme/mail/dkim')).toEqual({ version: 1, data: { private_key: 'acme-dkim-orig-222' } });
    expect(await kv(h.vault, 'tenants/acme/same')).toEqual({ version: 1, data: { token: 'acme-same-333' } });
    expect(await kv(h.vault, 'tenants/acme/new')).toEqual({ version: 1, data: { password: 'acme-new-777' } });
    expect(await kv(h.vault, 'tenants/acmex/db')).toEqual({ version: 2, data: { password: 'acmex-db-bad-888' } });
    expect(await kv(h.vault, 'tenants/other/db')).toEqual({ version: 2, data: { password: 'other-db-bad-999' } });
    const writes = h.vault.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/secret/data/')).map((r) => r.url);
    expect(writes.sort()).toEqual(['/v1/secret/data/tenants/acme/db', '/v1/secret/data/tenants/acme/mail/dkim']);

    const result = threadTexts(h, parent).find((t) => t.includes('Recovered')) ?? '';
    expect(result).toContain('Recovered 2 of 4 secrets at secret/tenants/acme/');
    expect(result).toContain('secret/tenants/acme/db: version 2 → 3');
    expect(result).toContain('secret/tenants/acme/mail/dkim: version 0 → 1');
    expect(result).toContain("secret/tenants/acme/same: unchanged: production version 1 already holds the backup's data");
    expect(result).toContain('secret/tenants/acme/new: not in the backup; left as it is');
    expect(result).not.toContain('acmex');
    expect(leaks(h, ['acme-db-orig-111', 'acme-dkim-orig-222', 'acme-same-333', 'acme-db-bad-666', 'acme-new-777'])).toEqual([]);
  });

  it('says before any approval what cannot work: a KV v1 mount, a secret production never had, a backup that does not exist', async () => {
    const { h } = await harness.start({ vault: { kvV1Mounts: ['kv/'] } });
    h.vault.putSecret('smtp', { password: 'x-1' });
    await backupNow(h);
    await h.slack.command({ userId: 'U0ALICE', text: 'recover kv/smtp' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('"kv/" is a KV version 1 mount');
    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/nope' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('secret/nope does not exist in production');
    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/smtp from 2025-11-20' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('No backup from 2025-11-20. Nearest dates with a backup: 2025-11-26.');
    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/smtp since monday' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('/vault recover <kv-path | kv-path/> [from <YYYY-MM-DD|latest|key>]');
    expect(h.bot.approvals.list()).toHaveLength(0);
    expect(h.fake.messages(OPS).filter((m) => m.text.includes('requested by'))).toHaveLength(0);
  });

  it('writes nothing when staging comes back sealed after the restore (no shared seal), and says why', async () => {
    const { h, staging } = await harness.start({ stagingOptions: { sealOnForeignRestore: true } });
    h.vault.putSecret('smtp', { password: 'smtp-original-7f3a9c' });
    await backupNow(h);
    h.vault.putSecret('smtp', { password: 'smtp-wrong-9z8y7x' });
    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/smtp' });
    const parent = await approveTwice(h);

    expect(staging.restores).toHaveLength(1);
    expect(staging.state.sealed).toBe(true);
    expect(await kv(h.vault, 'smtp')).toEqual({ version: 2, data: { password: 'smtp-wrong-9z8y7x' } });
    const result = threadTexts(h, parent).at(-1) ?? '';
    expect(result).toContain('The backup was restored into staging, but copying the secrets stopped');
    expect(result).toContain('0 secrets were written before that');
    expect(parentText(h, parent)).toContain('Failed');
    expect(leaks(h, ['smtp-original-7f3a9c', 'smtp-wrong-9z8y7x'])).toEqual([]);
  });

  it('refuses without a staging Vault and says what to configure', async () => {
    const h = await harness.startWithout();
    h.vault.putSecret('smtp', { password: 'x-1' });
    await h.slack.command({ userId: 'U0ALICE', text: 'recover secret/smtp' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN');
    expect(h.bot.approvals.list()).toHaveLength(0);
  });
});
