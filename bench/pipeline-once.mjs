/**
 * One measured run in a fresh process, on the compiled code in dist/ (as production runs it; no
 * TypeScript loader in the measured process): `backup` (snapshot → validate → encrypt → folder store →
 * read-back verify), `restore` (a --dry-run restore: download, sha256, decrypt, validate) or
 * `recover` (a full restore of the latest backup into the Vault test server: download and decrypt,
 * version check, safety snapshot of the target, POST, as on-call would run it).
 * Prints MB/s over the snapshot bytes, the CPU time of the measured part (all threads), and the
 * process's peak RSS; `recover` also prints how long
 * each step took, read from the engine's own log lines.
 */
import pino from 'pino';
import { loadConfig } from '../dist/core/config/load-config.js';
import { openDatabase } from '../dist/core/db/index.js';
import { AuditLog } from '../dist/core/audit/index.js';
import { BackupEngine } from '../dist/core/backup-engine.js';
import { silentNotifier } from '../dist/core/notifier.js';

const [mode, url, token, dataDir, keyB64] = process.argv.slice(2);
const loaded = loadConfig({ VAULT_ADDR: url, VAULT_TOKEN: token, BACKUP_KEYS: `bench:${keyB64}`, DATA_DIR: dataDir }, ['vault', 'backup']);
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const db = openDatabase(dataDir);
/** The engine's log lines, kept for `recover` to split the recovery time by step. */
const lines = [];
const logger = mode === 'recover'
  ? pino({ level: 'info' }, { write: (line) => lines.push(JSON.parse(line)) })
  : pino({ level: process.env.BENCH_LOG ?? 'silent' });
const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), logger, notifier: silentNotifier });
await engine.start();

const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
let bytes = 0;
if (mode === 'backup') {
  const outcome = await engine.backup('manual', 'bench');
  if (!outcome.ok) throw outcome.error;
  bytes = outcome.report.plainBytes;
} else {
  const plan = await engine.planRestore('latest', 'prod');
  const outcome = await engine.restore(plan, { actor: 'bench', purpose: 'restore', dryRun: mode !== 'recover' });
  if (!outcome.ok) throw outcome.error;
  bytes = plan.size;
}
const startedMs = Date.now() - Number(process.hrtime.bigint() - started) / 1e6;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
engine.stop();
db.close();
const steps = mode === 'recover' ? recoverySteps(startedMs) : undefined;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ mode, bytes, seconds, mbPerSec: bytes / 1e6 / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024, ...(steps ? { steps } : {}) })}\n`);

/**
 * Seconds per step of a full restore, from the log lines the engine writes at each step's end:
 * download + sha256 + decrypt + validate, version check, safety snapshot (its own backup: snapshot
 * to store, then read-back verify), and the POST of the snapshot into the target.
 */
function recoverySteps(t0) {
  const at = (msg) => lines.find((l) => l.msg === msg);
  const fetched = at('snapshot downloaded, authenticated and validated');
  const safety = at('backup verified');
  const finished = at('restore finished');
  if (!fetched || !safety || !finished) return { unknown: `log lines missing: ${lines.map((l) => l.msg).join(' | ')}` };
  const safetyStart = safety.time - safety.durationMs;
  const s = (ms) => ms / 1000;
  return {
    downloadDecryptValidate: s(fetched.time - t0),
    versionCheck: s(safetyStart - fetched.time),
    safetySnapshot: s(safety.durationMs),
    safetySnapshotVerify: s(safety.verifyMs),
    postToVault: s(finished.time - safety.time),
    recovery: s(finished.recoveryMs),
  };
}
