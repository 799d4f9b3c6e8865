/**
 * A folder store on a full disk (a real 2 MiB tmpfs): the backup's failure names the OS error
 * (ENOSPC, no space left on device) and the store, instead of "the upload step failed; see the
 * bot log". Needs root to mount; skipped where mounting is not allowed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'vc-full-disk-'));
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const open: BackupFixture[] = [];
afterAll(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
  if (mounted) execFileSync('umount', [mountPoint], { stdio: 'ignore' });
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a folder store on a full disk', () => {
  it('fails at upload naming ENOSPC and the store, and leaves nothing behind', async () => {
    const f = await backupFixture({ vault: { snapshotSize: 4 * 1024 * 1024 }, env: { BACKUP_STORE: mountPoint } });
    open.push(f);
    const outcome = await f.engine.backup('manual', 'cli');
    expect(outcome).toMatchObject({ ok: false, step: 'upload' });
    const reason = f.notifier.pages.at(-1)?.reason ?? '';
    expect(reason).toMatch(/ENOSPC: no space left on device/);
    expect(reason).toContain(mountPoint);
    expect(reason).not.toMatch(/see the bot log/);
    expect(execFileSync('find', [mountPoint, '-type', 'f'], { encoding: 'utf8' }).trim()).toBe('');
  }, 30_000);
});
