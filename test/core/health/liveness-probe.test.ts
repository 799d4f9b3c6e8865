/**
 * `/healthz`'s database probe must fail on a database that cannot grow (issue 8 review): rewriting
 * one existing row allocates no page, so a full database used to answer OK. Full is made the way
 * SQLite reports it, with `PRAGMA max_page_count`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/core/db/index.js';
import { probeDatabaseWrite } from '../../../src/core/health/liveness.js';

describe('database liveness probe', () => {
  let dir: string;
  let db: Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vc-liveness-'));
    db = openDatabase(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on a database with room, and keeps the liveness row small', () => {
    probeDatabaseWrite(db, new Date('2025-11-26T03:00:00Z'));
    probeDatabaseWrite(db, new Date('2025-11-26T03:01:00Z'));
    expect(db.prepare(`SELECT at FROM liveness`).get()).toEqual({ at: '2025-11-26T03:01:00.000Z' });
  });

  it('fails once the database is full, although its one row can still be rewritten', () => {
    probeDatabaseWrite(db, new Date('2025-11-26T03:00:00Z'));
    db.exec(`CREATE TABLE filler (b BLOB)`);
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 8}`);
    expect(() => {
      for (let i = 0; i < 100; i += 1) db.prepare(`INSERT INTO filler VALUES (zeroblob(2000))`).run();
    }).toThrow(/full/i);
    // The old probe's write still succeeds here: it proves nothing.
    db.prepare(`UPDATE liveness SET at = ? WHERE id = 1`).run('2025-11-26T03:02:00.000Z');
    expect(() => probeDatabaseWrite(db, new Date('2025-11-26T03:03:00Z'))).toThrow(/full/i);
  });
});
