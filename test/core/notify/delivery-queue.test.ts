/**
 * Issue 7 item 3: notifications are delivered off the work path. A call returns at once however
 * Slack behaves; delivery is retried within bounds; what still fails is recorded as undelivered
 * (memory and SQLite), and reported once, in one line, when delivery works again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/core/db/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { Notifier } from '../../../src/core/notifier.js';
import { DeliveryQueue } from '../../../src/core/notify/delivery-queue.js';

class FlakyNotifier implements Notifier {
  down = true;
  readonly delivered: string[] = [];
  calls = 0;
  async #send(line: string): Promise<void> {
    this.calls += 1;
    if (this.down) throw Object.assign(new Error('An HTTP protocol error occurred: statusCode = 500'), { statusCode: 500 });
    this.delivered.push(line);
  }
  backupSucceeded = (r: { key: string }) => this.#send(`ok ${r.key}`);
  backupFailed = (f: { step: string }) => this.#send(`failed ${f.step}`);
  restoreTestFinished = () => this.#send('restore test');
  info = (text: string) => this.#send(`info ${text}`);
}

let dir: string;
let db: Database;
const logs: string[] = [];
const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void logs.push(l) } });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-notify-'));
  db = openDatabase(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function settled(q: DeliveryQueue): Promise<void> {
  for (let i = 0; i < 200 && q.pending > 0; i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(q.pending).toBe(0);
}

const failure = { kind: 'daily' as const, step: 'snapshot', reason: 'Vault is sealed', key: 'daily/2025-11-26/x.enc' };

describe('DeliveryQueue', () => {
  it('returns at once while the notifier fails, retries within bounds, then records the page as undelivered', async () => {
    const inner = new FlakyNotifier();
    const waits: number[] = [];
    const q = new DeliveryQueue(inner, { logger, db, maxAttempts: 4, firstDelayMs: 1000, maxDelayMs: 3000, sleep: async (ms) => void waits.push(ms) });
    const started = performance.now();
    await q.backupFailed(failure);
    expect(performance.now() - started).toBeLessThan(20);
    expect(q.pending).toBe(1);
    await settled(q);
    expect(inner.calls).toBe(4);
    expect(waits).toEqual([1000, 2000, 3000]);
    expect(q.undeliveredCount).toBe(1);
    expect(q.undelivered()[0]).toMatchObject({ method: 'backupFailed', attempts: 4, lastError: expect.stringContaining('500') });
    expect(q.undelivered()[0]?.summary).toBe('backupFailed (kind daily, step snapshot, key daily/2025-11-26/x.enc, reason Vault is sealed)');
    const row = db.prepare('SELECT method, summary, reported_at FROM undelivered_notifications').get() as Record<string, unknown>;
    expect(row).toMatchObject({ method: 'backupFailed', reported_at: null });
  });

  it('gives up within the total time bound, honouring Retry-After', async () => {
    const inner = new FlakyNotifier();
    let now = 0;
    const waits: number[] = [];
    const q = new DeliveryQueue(inner, {
      logger, db, clock: () => new Date(now), maxAttempts: 100, maxTotalMs: 600_000, firstDelayMs: 2000, maxDelayMs: 120_000,
      retryAfterMs: () => 30_000,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    await q.info('hello');
    await settled(q);
    expect(waits[0]).toBe(30_000);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(600_000);
    expect(inner.calls).toBeLessThan(15);
    expect(q.undeliveredCount).toBe(1);
  });

  it('does not retry a permanent error', async () => {
    const inner = new FlakyNotifier();
    const q = new DeliveryQueue(inner, { logger, db, isPermanent: () => true, sleep: async () => {} });
    await q.backupSucceeded({ kind: 'manual', key: 'k', store: 's', storedBytes: 1, plainBytes: 1, sha256: 'x', durationMs: 1, deleted: [] });
    await settled(q);
    expect(inner.calls).toBe(1);
    expect(q.undeliveredCount).toBe(1);
  });

  it('once Slack answers again, reports what was lost in one line, and the count returns to zero', async () => {
    const inner = new FlakyNotifier();
    const q = new DeliveryQueue(inner, { logger, db, maxAttempts: 2, sleep: async () => {} });
    await q.backupFailed(failure);
    await q.backupFailed({ ...failure, step: 'upload' });
    await settled(q);
    expect(q.undeliveredCount).toBe(2);
    // A restart keeps the count (it is in the database).
    expect(new DeliveryQueue(inner, { logger, db }).undeliveredCount).toBe(2);

    inner.down = false;
    await q.backupSucceeded({ kind: 'manual', key: 'later', store: 's', storedBytes: 1, plainBytes: 1, sha256: 'x', durationMs: 1, deleted: [] });
    await settled(q);
    for (let i = 0; i < 50 && q.undeliveredCount > 0; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(inner.delivered[0]).toBe('ok later');
    expect(inner.delivered[1]).toMatch(/^info 2 notifications could not be delivered while Slack was unreachable: .*backupFailed \(kind daily, step upload/);
    expect(q.undeliveredCount).toBe(0);
    expect((db.prepare('SELECT count(*) AS n FROM undelivered_notifications WHERE reported_at IS NULL').get() as { n: number }).n).toBe(0);
  });

  it('records what is still being retried when the bot stops', async () => {
    const inner = new FlakyNotifier();
    const q = new DeliveryQueue(inner, { logger, db, firstDelayMs: 60_000 });
    await q.info('stopping soon');
    await new Promise((r) => setTimeout(r, 10));
    await q.stop(10);
    expect(q.pending).toBe(0);
    expect(q.undelivered()[0]).toMatchObject({ method: 'info', lastError: expect.stringContaining('the bot stopped while retrying') });
  });
});
