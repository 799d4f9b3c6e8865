/**
 * What a new operator sees when the backup folder is wrong (issue 7 item 12): a store folder that
 * cannot be written fails at the upload step naming the OS error, not "validate … Premature close";
 * a folder that does not exist is an error for list and verify, not "no backups".
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const fixtures: BackupFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

/**
 * Makes `dir` refuse new files. Tests often run as root, where a 0500 mode does not bite; the
 * immutable attribute does (EPERM). Returns false when neither works here.
 */
function makeUnwritable(dir: string): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o500);
    return () => chmodSync(dir, 0o700);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
}

describe('a store folder that cannot be written', () => {
  it('fails at upload naming the OS error (not "validate … Premature close"), and pages so', async () => {
    const f = await backupFixture({ vault: { snapshotSize: 2 * 1024 * 1024 } });
    fixtures.push(f);
    const root = join(f.dataDir, 'backups');
    mkdirSync(root, { recursive: true });
    const undo = makeUnwritable(root);
    if (!undo) return; // neither chmod nor chattr can make a folder unwritable here
    try {
      const outcome = await f.engine.backup('daily', 'system');
      expect(outcome).toMatchObject({ ok: false, step: 'upload' });
      const page = f.notifier.pages.at(-1);
      expect(page?.step).toBe('upload');
      expect(page?.reason).toMatch(/^Could not write daily\/.* in file:\/\/.*backups \((EACCES: permission denied|EPERM: operation not permitted), mkdir '.*'\); check that the folder exists/);
      expect(page?.reason).not.toMatch(/Premature close/i);
    } finally {
      undo();
    }
  });
});

describe('a store folder that does not exist', () => {
  it('is an error for list and verify naming the folder and BACKUP_STORE, not "no backups"', async () => {
    const f = await backupFixture();
    fixtures.push(f);
    const missing = join(f.dataDir, 'typo', 'backups');
    const g = await backupFixture({ env: { BACKUP_STORE: missing } });
    fixtures.push(g);
    const listing = async () => { for await (const o of g.engine.store.list()) void o; };
    await expect(listing()).rejects.toThrow(`The backup folder ${missing} does not exist (no such folder); check BACKUP_STORE.`);
    await expect(g.engine.verify('latest')).rejects.toThrow(/no such folder.*check BACKUP_STORE/);
    // The first backup creates it; then it lists.
    expect((await g.engine.backup('manual', 'cli')).ok).toBe(true);
    await expect(listing()).resolves.toBeUndefined();
  });
});
