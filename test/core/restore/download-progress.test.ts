/**
 * Restore download progress: at most one line per interval, none for a download that finishes
 * within the first one, and the lines name the object, the bytes and the percentage. The store
 * wrapper is exercised on a real folder store, and the bytes come through unchanged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderStore } from '../../../src/core/store/folder-store.js';
import { TransferProgress, withDownloadProgress } from '../../../src/core/restore/download-progress.js';
import { DESIGN_METADATA, readAll } from '../store/backup-store-contract.js';

const MiB = 1024 * 1024;

describe('TransferProgress', () => {
  it('reports at most once per interval, never before the first interval, and not at completion', () => {
    let t = 0;
    const lines: string[] = [];
    const p = new TransferProgress('Downloading daily/x.enc', 10 * MiB, (l) => lines.push(l), { intervalMs: 5_000, now: () => t });
    // Nine 1 MiB chunks, one per second.
    for (let i = 1; i <= 9; i += 1) {
      t = i * 1000;
      p.add(MiB);
    }
    // Due at 5 s only (the next at 10 s): the first interval is waited out, then one line per interval.
    expect(lines).toEqual(['Downloading daily/x.enc: 5.0 MiB of 10.0 MiB (50 %), 1.0 MiB/s']);
    t = 20_000;
    p.add(MiB); // the last chunk: the result says it is done, no "100 %" line
    expect(lines).toHaveLength(1);
  });

  it('says nothing for a transfer that ends within the first interval', () => {
    let t = 0;
    const lines: string[] = [];
    const p = new TransferProgress('Downloading k', 3 * MiB, (l) => lines.push(l), { intervalMs: 5_000, now: () => t });
    for (let i = 1; i <= 3; i += 1) {
      t = i * 1000;
      p.add(MiB);
    }
    expect(lines).toEqual([]);
  });

  it('keeps counting when the watcher fails', () => {
    let t = 0;
    const p = new TransferProgress('Downloading k', 10 * MiB, () => Promise.reject(new Error('slack down')), { intervalMs: 1, now: () => t });
    t = 5;
    expect(() => p.add(MiB)).not.toThrow();
    expect(p.line(t)).toContain('1.0 MiB of 10.0 MiB (10 %)');
  });
});

describe('withDownloadProgress on a folder store', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'download-progress-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('passes the bytes through unchanged and reports the key and rising percentages', async () => {
    const store = new FolderStore(join(root, 'backups'));
    const key = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
    const body = randomBytes(2 * MiB);
    await store.put(key, Readable.from([body]), () => DESIGN_METADATA);
    let calls = 0;
    const lines: string[] = [];
    // Every reading of the clock is 100 ms later, so each chunk after the first is due.
    const wrapped = withDownloadProgress(store, (l) => lines.push(l), { intervalMs: 100, now: () => (calls += 1) * 100 });
    const read = await readAll(await wrapped.get(key));
    expect(createHash('sha256').update(read).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(lines.length).toBeGreaterThan(0);
    const percents = lines.map((l) => Number(/\((\d+) %\)/.exec(l)?.[1]));
    for (const l of lines) expect(l).toMatch(new RegExp(`^Downloading ${key}: [\\d.]+ (KiB|MiB) of 2\\.0 MiB \\(\\d+ %\\), [\\d.]+ (B|KiB|MiB|GiB)/s$`));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(Math.max(...percents)).toBeLessThan(100);
  });

  it('says nothing for a download shorter than the default interval', async () => {
    const store = new FolderStore(join(root, 'backups'));
    await store.put('daily/k.enc', Readable.from([randomBytes(256 * 1024)]), () => DESIGN_METADATA);
    const lines: string[] = [];
    await readAll(await withDownloadProgress(store, (l) => lines.push(l)).get('daily/k.enc'));
    expect(lines).toEqual([]);
  });
});
