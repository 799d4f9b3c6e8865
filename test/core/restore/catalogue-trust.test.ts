/**
 * Restore and verify trust the catalogue (issue 7 item 6): an older backup copied over a newer
 * name, its sidecar rewritten to match, is refused; a backup the catalogue never saw is usable but
 * the plan says its checksums come only from the object's own metadata.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/core/db/index.js';
import { describePlan } from '../../../src/core/restore/restore-plan.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const fixtures: BackupFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

async function twoBackups() {
  const f = await backupFixture();
  fixtures.push(f);
  const older = await f.engine.backup('manual', 'cli');
  f.vault.putSecret('app/db', { password: 'changed since' });
  const newer = await f.engine.backup('daily', 'system');
  if (!older.ok || !newer.ok) throw new Error('backups failed');
  return { f, older: older.report.key, newer: newer.report.key };
}

describe('a swapped object', () => {
  it('an older backup copied over a newer name with its sidecar rewritten is refused by restore and by verify', async () => {
    const { f, older, newer } = await twoBackups();
    const root = join(f.dataDir, 'backups');
    await copyFile(join(root, older), join(root, newer));
    const sidecar = JSON.parse(await readFile(join(root, `${older}.json`), 'utf8')) as Record<string, string>;
    await writeFile(join(root, `${newer}.json`), JSON.stringify({ ...sidecar, 'kind': 'daily', 'created-at': new Date().toISOString() }));

    await expect(f.engine.planRestore(newer, 'prod')).rejects.toThrow(
      new RegExp(`The object ${newer.replaceAll('.', '\\.')} in file://.* is not the backup the catalogue recorded under that name \\(.*sha256 [0-9a-f]{12}…, recorded [0-9a-f]{12}…`),
    );
    await expect(f.engine.verify(newer)).rejects.toThrow(/is not the backup the catalogue recorded/);
    expect(f.vault.restores).toHaveLength(0);
    // The untouched one still plans, known to the catalogue.
    expect(await f.engine.planRestore(older, 'prod')).toMatchObject({ key: older, catalogueKnown: true });
  });
});

describe('a backup the catalogue does not know', () => {
  it('plans and verifies, and the plan says its checksums come only from the object itself', async () => {
    const { f } = await twoBackups();
    const db = openDatabase(f.dataDir);
    db.prepare(`DELETE FROM backups`).run();
    db.close();
    const plan = await f.engine.planRestore('latest', 'prod');
    expect(plan).toMatchObject({ catalogueKnown: false });
    expect(describePlan(plan)).toContainEqual({ label: 'Catalogue', value: expect.stringMatching(/^not in this bot's catalogue.*object's own metadata$/) });
    expect((await f.engine.verify('latest')).plan.catalogueKnown).toBe(false);
  });
});
