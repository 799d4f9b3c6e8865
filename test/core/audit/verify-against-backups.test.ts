/**
 * `audit verify` anchored by default on the newest backup's audit-head (issue 7 item 11): deleting
 * the newest rows leaves a valid but shorter chain, which only an anchor kept outside the log can
 * expose. The store's copy of the anchor catches it even when the catalogue rows went too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src/core/audit/index.js';
import { verifyAgainstBackups } from '../../../src/core/audit/verify-against-backups.js';
import { openDatabase } from '../../../src/core/db/index.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const fixtures: BackupFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

async function withBackup() {
  const f = await backupFixture();
  fixtures.push(f);
  for (let i = 0; i < 3; i += 1) f.audit.append({ actor: 'U1', event: 'test.event', details: { i } });
  const backup = await f.engine.backup('daily', 'system');
  if (!backup.ok) throw backup.error;
  const head = (await f.engine.store.stat(backup.report.key))?.metadata['audit-head'] ?? '';
  return { f, key: backup.report.key, anchorId: Number(head.split(':')[0]) };
}

/** What someone with write access to the database file could do: drop the guard and cut the newest rows. */
function cutNewestRows(f: BackupFixture, fromId: number, alsoCatalogue: boolean): void {
  const db = openDatabase(f.dataDir);
  db.exec('DROP TRIGGER audit_log_no_delete');
  db.prepare('DELETE FROM audit_log WHERE id >= ?').run(fromId);
  if (alsoCatalogue) db.prepare('DELETE FROM backups').run();
  db.close();
}

describe('audit verify against the newest backup', () => {
  it('an untouched log verifies, and says which backup anchored it', async () => {
    const { f, key } = await withBackup();
    const result = await verifyAgainstBackups((anchor) => f.audit.verify(anchor ? { anchor } : {}), { catalogue: f.engine.catalogue, store: f.engine.store });
    expect(result.ok).toBe(true);
    expect(result.anchor).toMatchObject({ key });
  });

  it('deleted newest rows are reported as truncation, even with their catalogue rows deleted too', async () => {
    const { f, key, anchorId } = await withBackup();
    cutNewestRows(f, anchorId, true);
    const audit = new AuditLog(openDatabase(f.dataDir));
    // Without an anchor the shorter chain is still a valid chain: this is what went unnoticed.
    expect(audit.verify().ok).toBe(true);

    const result = await verifyAgainstBackups((anchor) => audit.verify(anchor ? { anchor } : {}), { catalogue: f.engine.catalogue, store: f.engine.store });
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ reason: 'truncated' });
    expect(result.firstBroken?.detail).toContain(`the newest rows were deleted. (The anchor is the audit-head of the newest backup, ${key}, in its metadata in the store.)`);
    expect(result.anchor).toMatchObject({ from: 'store', key, head: { id: anchorId } });
  });

  it('an anchor the person gives is the one used', async () => {
    const { f } = await withBackup();
    const given = { id: 1, hash: f.audit.tail(1000)[0]!.hash };
    const result = await verifyAgainstBackups((anchor) => f.audit.verify(anchor ? { anchor } : {}), { given, catalogue: f.engine.catalogue, store: f.engine.store });
    expect(result).toMatchObject({ ok: true, anchor: { from: 'given', head: given } });
  });
});
