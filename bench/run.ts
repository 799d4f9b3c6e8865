/**
 * `npm run bench`: the backup pipeline on a 100 MiB and a 1 GiB synthetic snapshot from the Vault
 * test server into the folder store, then a --dry-run restore of each; MB/s and peak RSS per run,
 * against the AES-256-GCM + SHA-256 ceiling. Targets (issue): backup ≥ 0.6 × ceiling; peak RSS
 * < 150 MB and flat (within 20 %) between the two sizes. Every run is a fresh process running the
 * compiled code (`npm run bench` builds first).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

interface Result { mode: string; bytes: number; seconds: number; mbPerSec: number; peakRssMb?: number }

const MiB = 1024 * 1024;
const sizes = (process.env.BENCH_SIZES ?? `${100 * MiB},${1024 * MiB}`).split(',').map(Number);
const node = (script: string, args: string[]): Result =>
  JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!) as Result;

async function startServer(size: number): Promise<{ url: string; token: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'vault-server-process.ts'), String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return { url, token, stop: () => child.kill('SIGTERM') };
}

const rows: Array<{ size: number; backup: Result; restore: Result; ceiling: Result }> = [];
for (const size of sizes) {
  const server = await startServer(size);
  const dataDir = mkdtempSync(join(tmpdir(), 'vc-bench-'));
  try {
    const key = randomBytes(32).toString('base64');
    const backup = node('pipeline-once.mjs', ['backup', server.url, server.token, dataDir, key]);
    const restore = node('pipeline-once.mjs', ['restore', server.url, server.token, dataDir, key]);
    const ceiling = node('ceiling.mjs', [String(backup.bytes)]);
    rows.push({ size, backup, restore, ceiling });
  } finally {
    server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(7);
console.log(`node ${process.version}, ${process.arch}`);
console.log('snapshot    backup MB/s  peak RSS MB | restore(dry) MB/s  peak RSS MB | ceiling MB/s  backup/ceiling');
for (const r of rows) {
  console.log(
    `${fmt(r.size / MiB)} MiB  ${fmt(r.backup.mbPerSec)}      ${fmt(r.backup.peakRssMb ?? 0)}     | ${fmt(r.restore.mbPerSec)}            ${fmt(r.restore.peakRssMb ?? 0)}     | ${fmt(r.ceiling.mbPerSec)}       ${fmt(r.backup.mbPerSec / r.ceiling.mbPerSec, 2)}`,
  );
}
if (rows.length >= 2) {
  const [small, large] = [rows[0]!, rows.at(-1)!];
  const growth = large.backup.peakRssMb! / small.backup.peakRssMb! - 1;
  console.log(`backup peak RSS growth ${(growth * 100).toFixed(1)} % from ${small.size / MiB} MiB to ${large.size / MiB} MiB (target within 20 %)`);
}
