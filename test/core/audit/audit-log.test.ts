import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, formatAuditHead, GENESIS_HASH, parseAuditHead } from '../../../src/core/audit/index.js';
import { DATABASE_FILE, DEFAULT_MIGRATIONS_DIR, openDatabase, type Database } from '../../../src/core/db/index.js';
import { CoreError } from '../../../src/core/errors.js';

const dirs: string[] = [];
const dbs: Database[] = [];

/** A data dir and a migrations dir holding only the audit migration, so others' work cannot interfere. */
function setup(): { dataDir: string; migrationsDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'vc-audit-'));
  dirs.push(root);
  const migrationsDir = join(root, 'migrations');
  mkdirSync(migrationsDir);
  for (const name of ['001_audit_log.sql', '005_audit_key_fingerprint.sql']) copyFileSync(join(DEFAULT_MIGRATIONS_DIR, name), join(migrationsDir, name));
  return { dataDir: join(root, 'data'), migrationsDir };
}

function track<T extends Database>(db: T): T {
  dbs.push(db);
  return db;
}

function fixedClock(start = Date.parse('2025-11-26T02:00:00.000Z')) {
  let t = start;
  return () => new Date((t += 1000));
}

function newLog(options: { key?: string } = {}) {
  const { dataDir, migrationsDir } = setup();
  const db = track(openDatabase(dataDir, { migrationsDir }));
  const audit = new AuditLog(db, { ...options, clock: fixedClock() });
  return { db, audit, dataDir, file: join(dataDir, DATABASE_FILE) };
}

function appendSome(audit: AuditLog, n: number) {
  for (let i = 1; i <= n; i += 1) audit.append({ actor: 'U0ANA', event: 'backup.succeeded', target: `daily/${i}`, details: { i, kind: 'daily' } });
}

/** A second connection that tampers the way an intruder with file access would: drop the trigger, change, restore it. */
function tamper(file: string, sql: string, ...params: unknown[]) {
  const raw = track(new BetterSqlite3(file));
  const triggers = raw.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'").pluck().all() as string[];
  raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  raw.prepare(sql).run(...params);
  for (const trigger of triggers) raw.exec(trigger);
  raw.close();
}

afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('AuditLog', () => {
  it('refuses to write to a chain with another key, or without the key it was written with', () => {
    const { db, audit } = newLog({ key: 'the-bots-audit-key-1' });
    audit.append({ actor: 'system', event: 'backup.started' });
    const entry = { actor: 'cli', event: 'backup.started' };
    expect(() => new AuditLog(db).append(entry)).toThrow(/written with AUDIT_KEY, but AUDIT_KEY is not set now/);
    expect(() => new AuditLog(db, { key: 'some-other-key-22222' }).append(entry)).toThrow(/written with a different AUDIT_KEY/);
    expect(new AuditLog(db, { key: 'the-bots-audit-key-1' }).append(entry).id).toBe(2);
    expect(audit.verify()).toMatchObject({ ok: true, checked: 2 });
    const plain = newLog();
    plain.audit.append(entry);
    expect(() => new AuditLog(plain.db, { key: 'the-bots-audit-key-1' }).append(entry)).toThrow(/written without AUDIT_KEY, but AUDIT_KEY is set now/);
  });

  it('catches details rewritten so that a plain JSON.parse reads the same (duplicate keys, __proto__), even with an HMAC key', () => {
    const { audit, file } = newLog({ key: 'a-long-enough-audit-key' });
    audit.append({ actor: 'U0ANA', event: 'approval.granted', target: 'req-1', details: { approver: 'U111' } });
    audit.append({ actor: 'U0BOB', event: 'approval.granted', target: 'req-1', details: {} });
    tamper(file, 'UPDATE audit_log SET details = ? WHERE id = 1', '{"approver":"U666","approver":"U111"}');
    expect(audit.verify().firstBroken).toMatchObject({ id: 1, reason: 'content_changed' });
    tamper(file, 'UPDATE audit_log SET details = ? WHERE id = 1', '{"approver":"U111"}');
    expect(audit.verify().ok).toBe(true);
    tamper(file, 'UPDATE audit_log SET details = ? WHERE id = 2', '{"__proto__":{"forced":true}}');
    expect(audit.verify().firstBroken).toMatchObject({ id: 2, reason: 'content_changed' });
  });

  it('hashes a detail key named __proto__ like any other, so it cannot be slipped in unhashed', () => {
    const { audit } = newLog();
    const row = audit.append({ actor: 'system', event: 'x', details: JSON.parse('{"__proto__":{"a":1},"b":2}') as Record<string, unknown> });
    expect(Object.keys(row.details)).toContain('__proto__');
    expect(audit.verify().ok).toBe(true);
  });

  it('starts empty with the genesis head', () => {
    const { audit } = newLog();
    expect(audit.head()).toEqual({ id: 0, hash: GENESIS_HASH });
    expect(audit.verify()).toEqual({ ok: true, checked: 0, head: { id: 0, hash: GENESIS_HASH } });
  });

  it('chains rows and verifies them', () => {
    const { audit } = newLog();
    const first = audit.append({ actor: 'system', event: 'backup.started' });
    expect(first).toMatchObject({ id: 1, time: '2025-11-26T02:00:01.000Z', actor: 'system', event: 'backup.started', target: null, details: {}, prevHash: GENESIS_HASH });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    const second = audit.append({ actor: 'U0ANA', event: 'approval.granted', target: 'req-1' });
    expect(second.prevHash).toBe(first.hash);
    expect(audit.head()).toEqual({ id: 2, hash: second.hash });
    expect(audit.verify()).toEqual({ ok: true, checked: 2, head: { id: 2, hash: second.hash } });
  });

  it('redacts secret-looking detail keys at any depth, but keeps object keys', () => {
    const { audit, db } = newLog();
    const record = audit.append({
      actor: 'system',
      event: 'rotate.executed',
      details: {
        key: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc',
        keyId: 'k1',
        vaultToken: 'hvs.LEAK1',
        nested: { clientSecret: 'LEAK2', list: [{ password: 'LEAK3' }, { unsealShare: 'LEAK4' }], privateKey: 'LEAK5' },
        at: new Date('2025-11-26T00:00:00Z'),
      },
    });
    expect(record.details).toEqual({
      key: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc',
      keyId: 'k1',
      vaultToken: '[redacted]',
      nested: { clientSecret: '[redacted]', list: [{ password: '[redacted]' }, { unsealShare: '[redacted]' }], privateKey: '[redacted]' },
      at: '2025-11-26T00:00:00.000Z',
    });
    expect(JSON.stringify(db.prepare('SELECT * FROM audit_log').all())).not.toMatch(/LEAK/);
    expect(audit.verify().ok).toBe(true);
  });

  it('refuses UPDATE and DELETE', () => {
    const { audit, db } = newLog();
    appendSome(audit, 2);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE id = 1").run()).toThrow(/append-only: rows cannot be updated/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 2').run()).toThrow(/append-only: rows cannot be deleted/);
  });

  it('names an edited row', () => {
    const { audit, file } = newLog();
    appendSome(audit, 5);
    tamper(file, `UPDATE audit_log SET details = '{"i":3,"kind":"monthly"}' WHERE id = 3`);
    expect(audit.verify()).toMatchObject({
      ok: false,
      checked: 2,
      firstBroken: { id: 3, reason: 'content_changed', detail: "Row 3's hash does not match its contents: the row was edited." },
    });
  });

  it('names a row whose link to the previous one was rewritten', () => {
    const { audit, file } = newLog();
    appendSome(audit, 4);
    // Splice: row 3 re-chained onto a forged predecessor, its own hash made consistent.
    const forged = 'f'.repeat(64);
    const row = audit.tail(2)[0];
    if (row === undefined) throw new Error('no row');
    const canonical = JSON.stringify({ actor: row.actor, details: row.details, event: row.event, id: row.id, target: row.target, time: row.time });
    const hash = createHash('sha256').update(forged + canonical).digest('hex');
    tamper(file, 'UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = 3', forged, hash);
    expect(audit.verify().firstBroken).toMatchObject({ id: 3, reason: 'link_broken' });
  });

  it('names the gap a deleted row leaves', () => {
    const { audit, file } = newLog();
    appendSome(audit, 5);
    tamper(file, 'DELETE FROM audit_log WHERE id IN (2, 3)');
    expect(audit.verify()).toMatchObject({
      ok: false,
      checked: 1,
      firstBroken: { id: 4, reason: 'rows_missing', detail: 'rows 2–3 are missing before row 4: rows were deleted.' },
    });
  });

  it('detects deleted newest rows against an anchor from a backup', () => {
    const { audit, file } = newLog();
    appendSome(audit, 5);
    const anchor = parseAuditHead(formatAuditHead(audit.head()));
    tamper(file, 'DELETE FROM audit_log WHERE id = 5');
    expect(audit.verify().ok).toBe(true); // invisible without the anchor: that is why backups carry it
    expect(audit.verify({ anchor })).toMatchObject({
      ok: false,
      checked: 4,
      firstBroken: { id: 5, reason: 'truncated', detail: 'The log ends at row 4 but the anchor names row 5: the newest rows were deleted.' },
    });
  });

  it('detects a recomputed unkeyed chain against an anchor', () => {
    const { audit, file } = newLog();
    appendSome(audit, 3);
    const anchor = audit.head();
    // An intruder edits row 2 and recomputes the plain SHA-256 chain from there on.
    const raw = track(new BetterSqlite3(file));
    raw.exec('DROP TRIGGER audit_log_no_update');
    let prev = (raw.prepare('SELECT hash FROM audit_log WHERE id = 1').pluck().get() as string);
    for (const row of raw.prepare('SELECT * FROM audit_log WHERE id >= 2 ORDER BY id').all() as { id: number; time: string; actor: string; event: string; target: string; details: string }[]) {
      const details = row.id === 2 ? { i: 2, kind: 'forged' } : JSON.parse(row.details);
      const canonical = JSON.stringify({ actor: row.actor, details, event: row.event, id: row.id, target: row.target, time: row.time });
      const hash = createHash('sha256').update(prev + canonical).digest('hex');
      raw.prepare('UPDATE audit_log SET details = ?, prev_hash = ?, hash = ? WHERE id = ?').run(JSON.stringify(details), prev, hash, row.id);
      prev = hash;
    }
    raw.close();
    expect(audit.verify().ok).toBe(true);
    expect(audit.verify({ anchor }).firstBroken).toMatchObject({ id: 3, reason: 'anchor_mismatch' });
  });

  it('keeps an HMAC chain that only verifies with the same key', () => {
    const { audit, db } = newLog({ key: 'the-right-audit-key-0123456789' });
    appendSome(audit, 3);
    expect(audit.keyed).toBe(true);
    expect(audit.verify().ok).toBe(true);
    expect(new AuditLog(db, { key: 'a-different-audit-key-987654321' }).verify()).toMatchObject({
      ok: false,
      checked: 0,
      firstBroken: { id: 1, reason: 'content_changed', detail: expect.stringContaining('or AUDIT_KEY is not the key the log was written with') },
    });
    expect(new AuditLog(db).verify().ok).toBe(false);
  });

  it('hashes exactly as documented, so an auditor can re-implement it', () => {
    const key = 'auditor-shared-key-0123456789';
    const { audit } = newLog({ key });
    appendSome(audit, 2);
    audit.append({ actor: 'system', event: 'x', details: { z: 1, a: { y: [{ b: 2, a: 1 }], x: 'é' } } });
    let prev = GENESIS_HASH;
    for (const row of audit.tail(10)) {
      const sort = (v: unknown): unknown =>
        Array.isArray(v) ? v.map(sort)
        : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sort(x)]))
        : v;
      const canonical = JSON.stringify(sort({ id: row.id, time: row.time, actor: row.actor, event: row.event, target: row.target, details: row.details }));
      expect(row.hash).toBe(createHmac('sha256', key).update(prev + canonical).digest('hex'));
      prev = row.hash;
    }
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  it.skipIf(!python)('verifies with the documented Python snippet', () => {
    const key = 'python-checks-this-0123456789';
    const { audit, file } = newLog({ key });
    appendSome(audit, 3);
    audit.append({ actor: 'U0BOB', event: 'approval.granted', target: 'req-7', details: { note: 'ünïcode ✓', n: [3, 1.5, null, true] } });
    const script = `
import hashlib, hmac, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); key = sys.argv[2].encode(); prev = "0" * 64
for id, time, actor, event, target, details, prev_hash, h in db.execute("SELECT id, time, actor, event, target, details, prev_hash, hash FROM audit_log ORDER BY id"):
    row = {"id": id, "time": time, "actor": actor, "event": event, "target": target, "details": json.loads(details)}
    canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert prev_hash == prev and hmac.new(key, (prev + canonical).encode(), "sha256").hexdigest() == h, id
    prev = h
print("ok", id)
`;
    const result = spawnSync('python3', ['-c', script, file, key], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ok 4');
  });

  it('keeps one chain when several processes append at once', async () => {
    const { dataDir, migrationsDir } = setup();
    const worker = fileURLToPath(new URL('./append-worker.ts', import.meta.url));
    const workers = 4;
    const perWorker = 150;
    const exits = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', worker, dataDir, migrationsDir, String(w), String(perWorker), 'concurrency-key-0123456789'], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('close', (code) => resolve({ code, stderr }));
        }),
      ),
    );
    expect(exits).toEqual(Array.from({ length: workers }, () => ({ code: 0, stderr: '' })));
    const db = track(openDatabase(dataDir, { migrationsDir }));
    const audit = new AuditLog(db, { key: 'concurrency-key-0123456789' });
    expect(audit.verify()).toMatchObject({ ok: true, checked: workers * perWorker });
    const perTarget = db.prepare('SELECT target, count(*) AS n FROM audit_log GROUP BY target ORDER BY target').all();
    expect(perTarget).toEqual(Array.from({ length: workers }, (_, w) => ({ target: `worker-${w}`, n: perWorker })));
  });

  it('returns the newest rows oldest first', () => {
    const { audit } = newLog();
    appendSome(audit, 5);
    expect(audit.tail(2).map((r) => r.id)).toEqual([4, 5]);
    expect(audit.tail(50)).toHaveLength(5);
  });

  it('refuses an audit log on a database without the table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-audit-'));
    dirs.push(dir);
    const db = track(new BetterSqlite3(join(dir, 'x.db')));
    expect(() => new AuditLog(db)).toThrow(/run "vault-chatops migrate" first/);
  });
});

describe('audit head anchors', () => {
  it('round-trip as <id>:<hash>', () => {
    const head = { id: 42, hash: 'ab'.repeat(32) };
    expect(formatAuditHead(head)).toBe(`42:${'ab'.repeat(32)}`);
    expect(parseAuditHead(` 42:${'AB'.repeat(32)} `)).toEqual(head);
  });

  it.each(['42', '42:abc', `x:${'a'.repeat(64)}`, `42:${'g'.repeat(64)}`])('refuses %s with a hint', (text) => {
    expect(() => parseAuditHead(text)).toThrow(CoreError);
    expect(() => parseAuditHead(text)).toThrow(/copy the audit-head value from a backup's metadata/);
  });
});
