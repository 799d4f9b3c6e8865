/**
 * @module cli/commands
 * Every command the CLI knows, in the order `help` lists them. To add one: write
 * `src/cli/<name>.ts` exporting a `Command`, then register it here with one line.
 */
import { auditAdoptKeyCommand } from './audit-adopt-key.js';
import { auditTailCommand } from './audit-tail.js';
import { backupListCommand } from './backup-list.js';
import { backupRunCommand } from './backup-run.js';
import { backupShowCommand } from './backup-show.js';
import { backupVerifyCommand } from './backup-verify.js';
import { restoreCommand } from './restore.js';
import { recoverCommand } from './recover.js';
import { drillCommand } from './drill.js';
import { reportCommand } from './report.js';
import { retentionRunCommand } from './retention-run.js';
import { rotateBackupKeyCommand } from './rotate-backup-key.js';
import { auditVerifyCommand } from './audit-verify.js';
import { helpCommand } from './help.js';
import { migrateCommand } from './migrate.js';
import { CommandRegistry } from './registry.js';
import { startCommand } from './start.js';
import { healthCommand } from './health.js';

export const registry = new CommandRegistry();

registry
  .register(startCommand)
  .register(migrateCommand)
  .register(backupRunCommand)
  .register(backupListCommand)
  .register(backupShowCommand)
  .register(backupVerifyCommand)
  .register(restoreCommand)
  .register(recoverCommand)
  .register(drillCommand)
  .register(reportCommand)
  .register(retentionRunCommand)
  .register(rotateBackupKeyCommand)
  .register(auditVerifyCommand)
  .register(auditTailCommand)
  .register(healthCommand)
  .register(auditAdoptKeyCommand)
  .register(helpCommand(() => registry.list()));
