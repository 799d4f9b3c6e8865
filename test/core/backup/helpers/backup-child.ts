// Child process for the crash tests: a real engine (as the CLI builds it) starts one backup, which
// the parent kills with SIGKILL while the snapshot stream hangs.
import pino from 'pino';
import { AuditLog } from '../../../../src/core/audit/index.js';
import { BackupEngine } from '../../../../src/core/backup-engine.js';
import { loadConfig } from '../../../../src/core/config/load-config.js';
import { openDatabase } from '../../../../src/core/db/index.js';
import { silentNotifier } from '../../../../src/core/notifier.js';

const env = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
const loaded = loadConfig(env, ['vault', 'backup']);
if (!loaded.ok) throw new Error(loaded.problems.join('; '));
const db = openDatabase(loaded.config.dataDir);
const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), notifier: silentNotifier, logger: pino({ level: 'silent' }) });
await engine.start();
await engine.backup('daily', 'system');
