/**
 * One measured run in a fresh process, on the compiled code in dist/ (as production runs it; no
 * TypeScript loader in the measured process): `backup` (snapshot → validate → encrypt → folder store →
 * read-back verify) or `restore` (a --dry-run restore: download, sha256, decrypt, validate).
 * Prints MB/s over the snapshot bytes and the process's peak RSS.
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
const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), logger: pino({ level: process.env.BENCH_LOG ?? 'silent' }), notifier: silentNotifier });
await engine.start();

const started = process.hrtime.bigint();
let bytes = 0;
if (mode === 'backup') {
  const outcome = await engine.backup('manual', 'bench');
  if (!outcome.ok) throw outcome.error;
  bytes = outcome.report.plainBytes;
} else {
  const plan = await engine.planRestore('latest', 'prod');
  const outcome = await engine.restore(plan, { actor: 'bench', purpose: 'restore', dryRun: true });
  if (!outcome.ok) throw outcome.error;
  bytes = plan.size;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
engine.stop();
db.close();
process.stdout.write(`${JSON.stringify({ mode, bytes, seconds, mbPerSec: bytes / 1e6 / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
