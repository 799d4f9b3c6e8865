/**
 * `npm run bench`: the backup pipeline on a 100 MiB and a 1 GiB synthetic snapshot from the Vault
 * test server (in its own process) into the folder store, then a --dry-run restore of each, each
 * measured against its mandated ceiling (bench/ceiling.mjs: the same work done serially in memory
 * on one thread) taken in the same round, so a busy machine slows both. Then a full restore of the
 * largest snapshot into the test server, safety snapshot included, split by step: the recovery time
 * on-call plans with.
 *
 * Targets (issue 12): backup and restore ≥ 0.8 × their ceilings; peak RSS < 150 MB and flat
 * (within 20 %) between the two sizes. Every run is a fresh process running the compiled code
 * (`npm run bench` builds first). BENCH_SIZES (bytes, comma-separated) and BENCH_ROUNDS (default 3)
 * change what runs; the table shows the median and [min–max] over the rounds.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

interface Result { mode: string; bytes: number; seconds: number; mbPerSec: number; cpuSeconds?: number; serverCpuSeconds?: number; peakRssMb?: number; steps?: Record<string, number | string> }
interface Part { seconds: number; mbPerSec: number }
interface Ceiling { bytes: number; storedBytes: number; parts: Record<string, Part>; backup: Part; restore: Part }
interface Round { backup: Result; restore: Result; ceiling: Ceiling }

const MiB = 1024 * 1024;
const sizes = (process.env.BENCH_SIZES ?? `${100 * MiB},${1024 * MiB}`).split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * Node options of the measured processes (pipeline and ceiling alike; not the test server): by
 * default those the bot runs with, from `npm start` (README "Memory"). BENCH_NODE_FLAGS replaces
 * them, e.g. BENCH_NODE_FLAGS= (empty) for Node's defaults.
 */
const startScript = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const productionFlags = /^node (.*) bin\/vault-chatops\.js start$/.exec(startScript)?.[1] ?? '';
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? productionFlags).split(' ').filter(Boolean);
const run = <T>(script: string, args: string[]): T =>
  JSON.parse(execFileSync(process.execPath, [...nodeFlags, join(import.meta.dirname, script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 }).trim().split('\n').at(-1)!) as T;

/**
 * CPU seconds the Vault test server has used so far, from /proc (USER_HZ is 100 on Linux); undefined
 * elsewhere. It shares the machine's cores with the pipeline, which the ceiling does not.
 */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Runs one pipeline-once mode and adds the server's CPU seconds spent meanwhile. */
function measured(server: { pid: number | undefined }, args: string[]): Result {
  const before = cpuSecondsOf(server.pid);
  const result = run<Result>('pipeline-once.mjs', args);
  const after = cpuSecondsOf(server.pid);
  return before === undefined || after === undefined ? result : { ...result, serverCpuSeconds: after - before };
}

async function startServer(size: number): Promise<{ url: string; token: string; pid: number | undefined; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'vault-server-process.ts'), String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return { url, token, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/**
 * Takes one snapshot and throws it away. The test server computes a snapshot's sums the first time
 * it serves one of a size (1.3 CPU-s for 1 GiB, 0.3–0.5 s after that), on the cores the pipeline
 * shares with it; a Vault on its own host costs us nothing. Without this the first round alone
 * paid for it.
 */
async function warmUp(server: { url: string; token: string }): Promise<void> {
  const res = await fetch(new URL('/v1/sys/storage/raft/snapshot', server.url), { headers: { 'X-Vault-Token': server.token } });
  if (res.status !== 200) throw new Error(`warm-up snapshot: HTTP ${res.status}`);
  for await (const _ of res.body!) void _;
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const loadBefore = load();
const results: Array<{ size: number; rounds: Round[] }> = [];
let recovery: Result | undefined;
for (const [i, size] of sizes.entries()) {
  const server = await startServer(size);
  await warmUp(server);
  const key = randomBytes(32).toString('base64');
  let dataDir: string | undefined;
  try {
    const done: Round[] = [];
    for (let r = 0; r < rounds; r += 1) {
      // Each round starts from an empty store: on this VM a second GiB written while the first
      // is still on disk costs 3 s of kernel time instead of 0.4 s (dd shows the same), which
      // would be charged to whichever round came later.
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      dataDir = mkdtempSync(join(tmpdir(), 'vc-bench-'));
      const args = [server.url, server.token, dataDir, key];
      const backup = measured(server, ['backup', ...args]);
      const restore = measured(server, ['restore', ...args]);
      const ceiling = run<Ceiling>('ceiling.mjs', [server.url, server.token]);
      done.push({ backup, restore, ceiling });
    }
    results.push({ size, rounds: done });
    if (i === sizes.length - 1 && dataDir) recovery = run<Result>('pipeline-once.mjs', ['recover', server.url, server.token, dataDir, key]);
  } finally {
    server.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const stat = (xs: number[], d = 0) => `${median(xs).toFixed(d)} [${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}]`;
const col = (s: string, w: number) => s.padEnd(w);

console.log(`node ${process.version}, ${process.arch}${nodeFlags.length ? ` ${nodeFlags.join(' ')}` : ', default options'}; ${rounds} round(s) per size; load average (1/5/15 min) before ${loadBefore}, after ${load()}`);
console.log('median [min–max] over the rounds; each ratio is pipeline / ceiling of the same round');
console.log(`${col('snapshot', 10)}${col('backup MB/s', 17)}${col('ceiling MB/s', 17)}${col('backup/ceiling', 20)}${col('RSS MB', 9)}| ${col('restore MB/s', 17)}${col('ceiling MB/s', 17)}${col('restore/ceiling', 20)}RSS MB`);
for (const { size, rounds: rs } of results) {
  const ratio = (p: 'backup' | 'restore') => rs.map((r) => r[p].mbPerSec / r.ceiling[p].mbPerSec);
  const rss = (p: 'backup' | 'restore') => Math.max(...rs.map((r) => r[p].peakRssMb ?? 0)).toFixed(0);
  console.log(
    `${col(`${size / MiB} MiB`, 10)}${col(stat(rs.map((r) => r.backup.mbPerSec)), 17)}${col(stat(rs.map((r) => r.ceiling.backup.mbPerSec)), 17)}${col(stat(ratio('backup'), 2), 20)}${col(rss('backup'), 9)}| ` +
      `${col(stat(rs.map((r) => r.restore.mbPerSec)), 17)}${col(stat(rs.map((r) => r.ceiling.restore.mbPerSec)), 17)}${col(stat(ratio('restore'), 2), 20)}${rss('restore')}`,
  );
}
const last = results.at(-1)!;
console.log(`ceiling parts at ${last.size / MiB} MiB, MB/s of snapshot bytes (median): ` +
  Object.keys(last.rounds[0]!.ceiling.parts).map((p) => `${p} ${median(last.rounds.map((r) => r.ceiling.parts[p]!.mbPerSec)).toFixed(0)}`).join(', '));
{
  const cpu = (p: 'backup' | 'restore') => {
    const rs = last.rounds.map((r) => r[p]);
    const server = rs.every((r) => r.serverCpuSeconds !== undefined) ? ` + Vault test server ${median(rs.map((r) => r.serverCpuSeconds!)).toFixed(1)} s` : '';
    return `${p} ${median(rs.map((r) => r.cpuSeconds ?? 0)).toFixed(1)} s${server} in ${median(rs.map((r) => r.seconds)).toFixed(1)} s wall`;
  };
  console.log(`CPU at ${last.size / MiB} MiB on ${availableParallelism()} cores (median): ${cpu('backup')}; ${cpu('restore')}`);
}
if (results.length >= 2) {
  const [small, large] = [results[0]!, results.at(-1)!];
  for (const p of ['backup', 'restore'] as const) {
    const peak = (rs: Round[]) => Math.max(...rs.map((r) => r[p].peakRssMb ?? 0));
    const growth = peak(large.rounds) / peak(small.rounds) - 1;
    console.log(`${p} peak RSS ${peak(small.rounds).toFixed(0)} → ${peak(large.rounds).toFixed(0)} MB (${(growth * 100).toFixed(1)} %) from ${small.size / MiB} MiB to ${large.size / MiB} MiB (target < 150 MB, within 20 %)`);
  }
}
if (recovery) {
  const steps = Object.entries(recovery.steps ?? {}).map(([k, v]) => `${k} ${typeof v === 'number' ? `${v.toFixed(1)} s` : v}`).join(', ');
  console.log(`full restore of the ${last.size / MiB} MiB backup into the test server (safety snapshot included): ${recovery.seconds.toFixed(1)} s, peak RSS ${recovery.peakRssMb?.toFixed(0)} MB; ${steps}`);
}
