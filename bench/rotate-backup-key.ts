/**
 * Backup-key rotation throughput and memory: one backup of SIZE MiB (default 128) re-encrypted
 * from k1 to k2 through the folder store, peak RSS sampled every 20 ms.
 * Run: node --import tsx bench/rotate-backup-key.ts [MiB]
 */
import { randomBytes } from 'node:crypto';
import { keyringFromKeys } from '../src/core/crypto/keyring.js';
import { planBackupKeyRotation, rotateBackupKey } from '../src/core/rotation/rotate-backup-key.js';
import { backupFixture } from '../test/support/backup-fixture.js';

const mib = Number(process.argv[2] ?? 128);
const f = await backupFixture({ vault: { snapshotSize: mib * 1024 * 1024 } });
const made = await f.engine.backup('manual', 'bench');
if (!made.ok) throw new Error('backup failed');
const keyring = keyringFromKeys([{ id: 'k1', key: f.key }, { id: 'k2', key: randomBytes(32) }], 'k2');
const deps = { store: f.engine.store, keyring, catalogue: f.engine.catalogue, audit: f.audit, clock: () => new Date() };
const params = await planBackupKeyRotation(deps);
globalThis.gc?.();
const before = process.memoryUsage().rss;
let peak = before;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const started = performance.now();
const report = await rotateBackupKey(deps, params, { actor: 'bench' });
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
const stored = report.bytes / 1024 / 1024;
console.log(`re-encrypted ${report.reencrypted} backup of ${stored.toFixed(1)} MiB stored in ${seconds.toFixed(2)} s (${(stored / seconds).toFixed(1)} MiB/s, each byte read 3x and written 2x)`);
console.log(`rss before ${(before / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB (+${((peak - before) / 1e6).toFixed(0)} MB)`);
await f.close();
