/**
 * Backups know which cluster they came from, and staging's safety snapshots stay apart (issue 7
 * item 12): a staging restore's safety snapshot used to land in production's listing as
 * `pre-restore/…`, first in line, and restore into production with no warning.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describePlan } from '../../../src/core/restore/restore-plan.js';
import { listRestorable } from '../../../src/core/restore/resolve-backup.js';
import { startVaultServer } from '../../support/vault/server.js';
import type { VaultTestServer } from '../../support/vault/types.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const fixtures: BackupFixture[] = [];
const servers: VaultTestServer[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function clusterOf(vault: VaultTestServer): Promise<{ id: string; name: string }> {
  const body = (await (await fetch(`${vault.url}/v1/sys/health`)).json()) as { cluster_id: string; cluster_name: string };
  return { id: body.cluster_id, name: body.cluster_name };
}

describe('the source cluster', () => {
  it('is recorded in every object\'s metadata and in the catalogue', async () => {
    const f = await backupFixture();
    fixtures.push(f);
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;
    const cluster = await clusterOf(f.vault);
    const sidecar = JSON.parse(await readFile(join(f.dataDir, 'backups', `${backup.report.key}.json`), 'utf8')) as Record<string, string>;
    expect(sidecar).toMatchObject({ 'cluster': cluster.id, 'cluster-name': cluster.name });
    expect(f.engine.catalogue.get(backup.report.key)?.cluster).toBe(cluster.id);
    expect(await f.engine.planRestore(backup.report.key, 'prod')).toMatchObject({ sourceCluster: cluster.id, foreignCluster: false });
  });

  it('a staging restore keeps its safety snapshot under staging/, out of production\'s listings, and flags it as foreign if planned into production', async () => {
    const staging = await startVaultServer({ snapshotSize: 64 * 1024 });
    servers.push(staging);
    const f = await backupFixture({ staging });
    fixtures.push(f);
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;
    const stagingCluster = await clusterOf(staging);

    // Planned into staging, production's backup comes from another cluster.
    const plan = await f.engine.planRestore('latest', 'staging', true);
    expect(plan).toMatchObject({ key: backup.report.key, foreignCluster: true });
    expect(describePlan(plan)).toContainEqual({ label: 'Source cluster', value: expect.stringMatching(/^ANOTHER cluster than the target/) });

    const outcome = await f.engine.restoreTest();
    expect(outcome?.ok).toBe(true);
    const safety = outcome?.report.safetySnapshotKey ?? '';
    expect(safety).toMatch(/^staging\/pre-restore\/\d{4}-\d{2}-\d{2}\/vault-snapshot-\d{8}-\d{6}\.enc$/);
    expect((await f.engine.store.stat(safety))?.metadata['cluster']).toBe(stagingCluster.id);

    // Never production's latest, never in production's listings…
    expect((await f.engine.planRestore('latest', 'prod')).key).toBe(backup.report.key);
    expect((await listRestorable(f.engine.store)).map((p) => p.key)).toEqual([backup.report.key]);
    expect(f.engine.catalogue.list().map((e) => e.key)).toEqual([backup.report.key]);
    // …and asked for by its exact key, it is plainly foreign to production.
    const intoProd = await f.engine.planRestore(safety, 'prod');
    expect(intoProd).toMatchObject({ foreignCluster: true, sourceCluster: stagingCluster.id });
  });
});

describe('a restore whose data went in but whose canary could not be read', () => {
  it('says the target\'s data was replaced, names the safety snapshot with the exact commands, and the likely cause', async () => {
    const f = await backupFixture({ env: { VAULT_CANARY_PATH: 'secret/data/canary' }, canaryTimeoutMs: 300 });
    fixtures.push(f);
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;
    // Written after the backup: once the backup is restored, it is gone.
    f.vault.putSecret('canary', { value: 'alive' });
    const outcome = await f.engine.restore(await f.engine.planRestore(backup.report.key, 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(f.vault.restores).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: false, step: 'canary' });
    if (outcome.ok) return;
    const safety = outcome.report.safetySnapshotKey ?? '';
    expect(safety).toMatch(/^pre-restore\//);
    expect(outcome.error.userMessage).toMatch(new RegExp(`^The data of production \\(${f.vault.url.replaceAll('.', '\\.')}\\) was replaced with the backup ${backup.report.key.replaceAll('.', '\\.')}, but secret/data/canary could not be read afterwards`));
    expect(outcome.error.userMessage).toContain('Likely cause: the restored snapshot brought its own token store');
    expect(outcome.error.userMessage).toContain(`"/vault restore ${safety}" in Slack, or "vault-chatops restore ${safety} --target prod"`);
    expect(outcome.report.note).toBe(outcome.error.userMessage);
  });
});
