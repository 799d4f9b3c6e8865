// Child process for the concurrency test: opens the shared database and appends `count` rows.
import { AuditLog } from '../../../src/core/audit/audit-log.js';
import { openDatabase } from '../../../src/core/db/open-database.js';

const [dataDir, migrationsDir, worker, count, key] = process.argv.slice(2);
const db = openDatabase(dataDir ?? '', { migrationsDir: migrationsDir ?? '' });
const audit = new AuditLog(db, key === undefined ? {} : { key });
for (let i = 0; i < Number(count); i += 1) {
  audit.append({ actor: 'system', event: 'test.concurrent', target: `worker-${worker}`, details: { i } });
}
db.close();
