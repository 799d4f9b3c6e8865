/**
 * A CLI backup that fails while another process holds the database lock: before the process
 * exits, the audit row and the run record are retried for a bounded time (the busy timeout); if
 * the lock clears they are written, if not one stderr line says they could not be and that the
 * run will be reported as interrupted. The busy timeout is shortened here (100–400 ms, 5 s by default).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEngine } from '../../src/cli/engine.js';
import { CliContext } from '../../src/cli/context.js';
import { DATABASE_FILE, openDatabase } from '../../src/core/db/index.js';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';

let vault: VaultTestServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  vault = await startVaultServer({ snapshotSize: 32 * 1024 });
  dir = await mkdtemp(join(tmpdir(), 'vc-cli-locked-'));
  env = {
    VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, BACKUP_KEYS: `main:${randomBytes(32).toString('base64')}`,
    DATA_DIR: join(dir, 'data'), BACKUP_STORE: join(dir, 'backups'), AUDIT_KEY: 'k'.repeat(32),
  };
  openDatabase(env.DATA_DIR!).close();
});
afterAll(async () => {
  await vault.stop();
  await rm(dir, { recursive: true, force: true });
});

function cli(busyMs: number): { ctx: CliContext; err: () => string[] } {
  let stderr = '';
  const ctx = new CliContext({ stdout: { write: () => true }, stderr: { write: (c: string) => { stderr += c; return true; } }, env, interactive: false, dbBusyTimeoutMs: busyMs });
  return { ctx, err: () => stderr.split('\n').filter((l) => l !== '') };
}

function lock(): BetterSqlite3.Database {
  const other = new BetterSqlite3(join(env.DATA_DIR!, DATABASE_FILE));
  other.exec('BEGIN EXCLUSIVE');
  return other;
}

function audited(event: string): number {
  const db = new BetterSqlite3(join(env.DATA_DIR!, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE event = ?`).get(event) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('a CLI backup failing while the database is locked', () => {
  it('says in one line that its records could not be written when the lock outlasts the wait', async () => {
    const { ctx, err } = cli(100);
    const other = lock();
    try {
      const before = audited('backup.failed');
      const outcome = await withEngine(ctx, (engine) => engine.backup('manual', ctx.actor()));
      expect(outcome.ok).toBe(false);
      const said = err().filter((l) => /audit and run records/.test(l));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/the database stayed locked by another process .*audit backup\.failed.*will be reported as interrupted/);
      other.exec('COMMIT');
      expect(audited('backup.failed')).toBe(before);
    } finally {
      if (other.inTransaction) other.exec('COMMIT');
      other.close();
    }
  });

  it('writes the failure audit row before exiting when the lock clears within the wait', async () => {
    const { ctx, err } = cli(400);
    const other = lock();
    const before = audited('backup.failed');
    try {
      const outcome = await withEngine(ctx, async (engine) => {
        const result = await engine.backup('manual', ctx.actor());
        setTimeout(() => other.exec('COMMIT'), 50);
        return result;
      });
      expect(outcome.ok).toBe(false);
      expect(err().filter((l) => /audit and run records/.test(l))).toEqual([]);
      expect(audited('backup.failed')).toBe(before + 1);
    } finally {
      if (other.inTransaction) other.exec('COMMIT');
      other.close();
    }
  });
});
