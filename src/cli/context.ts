/**
 * @module cli/context
 * What a command gets besides its arguments: the io to print to and lazily opened shared pieces
 * (configuration, logger, database, audit log), so `help` touches nothing and `audit tail` never
 * needs Slack variables. `main` closes what was opened once the command returns.
 */
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../core/audit/audit-log.js';
import { loadConfig } from '../core/config/load-config.js';
import type { ConfigFor, Need } from '../core/config/types.js';
import { checkDataDir, DATABASE_FILE, openDatabase, type Database } from '../core/db/open-database.js';
import { CoreError, ErrorCode } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { UsageError } from './usage-error.js';

export interface Output {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
  /** Where a prompt's answer is read from; `process.stdin` when run from bin/. */
  stdin?: NodeJS.ReadableStream;
  /**
   * A person is at a terminal (stdin and stderr are TTYs): restores ask for confirmation and long
   * work draws a progress bar on stderr. Without one, restores need `--yes` and nothing is drawn.
   */
  interactive?: boolean;
  /** How long a database write waits for another process's lock (default 5 s); tests shorten it. */
  dbBusyTimeoutMs?: number;
}

export const PROGRAM = 'vault-chatops';

export const UNKEYED_AUDIT_WARNING =
  `${PROGRAM}: warning: AUDIT_KEY is not set, so the audit chain is plain SHA-256 and only catches accidents, ` +
  'not deliberate edits; to start using a key on this log: export AUDIT_KEY=$(openssl rand -base64 32), keep it outside ' +
  `the database, and run "${PROGRAM} audit adopt-key" (shown once per database)`;

/** The name under which the unkeyed warning is recorded as shown (migration 016). */
const UNKEYED_NOTICE = 'unkeyed-audit-warning';

export class CliContext {
  private opened: Database | undefined;
  private auditLog: AuditLog | undefined;
  private log: Logger | undefined;

  constructor(readonly io: CliIo) {}

  /** A line on stdout: the command's result. */
  out(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** A line on stderr, prefixed with the program name. */
  err(line: string): void {
    this.io.stderr.write(`${PROGRAM}: ${line}\n`);
  }

  /**
   * Who runs this command, for the audit log: `cli:alice@bastion-1` (the operating-system user —
   * the one who ran sudo, under sudo — and the host). Never just `cli`: an auditor must see who.
   */
  actor(): string {
    let user = this.io.env.SUDO_USER;
    if (user === undefined || user === '') {
      try {
        user = userInfo().username;
      } catch {
        user = this.io.env.USER ?? this.io.env.LOGNAME ?? 'unknown';
      }
    }
    return `cli:${user}@${hostname()}`;
  }

  /** The validated configuration for `needs`; invalid → every problem line, exit 2. */
  config<N extends Need = never>(needs: readonly N[] = []): ConfigFor<N> {
    const result = loadConfig(this.io.env, needs);
    if (!result.ok) throw new UsageError(result.problems);
    return result.config;
  }

  /**
   * JSON log lines go to stderr, so stdout stays the command's readable result, and only when
   * LOG_LEVEL is set: on a terminal the one-line result and the exit code are the answer, and
   * error logs carry stack traces.
   */
  logger(): Logger {
    const level = this.io.env.LOG_LEVEL === undefined ? 'silent' : this.config().logLevel;
    this.log ??= createLogger({ level, destination: { write: (line: string) => this.io.stderr.write(line) } });
    return this.log;
  }

  /**
   * The database with migrations applied, opened once. `existing` refuses to create a new one, so a
   * mistyped DATA_DIR is not reported as an empty, intact audit log.
   */
  db(options: { existing?: boolean } = {}): Database {
    if (this.opened === undefined) {
      const { dataDir } = this.config();
      const file = join(dataDir, DATABASE_FILE);
      if (options.existing === true) checkDataDir(dataDir, { create: false });
      if (options.existing === true && !existsSync(file)) {
        throw new CoreError(ErrorCode.DataDirUnusable, `There is no database at ${file}; check DATA_DIR, or run "vault-chatops migrate" to create one.`);
      }
      this.opened = openDatabase(dataDir, this.io.dbBusyTimeoutMs === undefined ? {} : { busyTimeoutMs: this.io.dbBusyTimeoutMs });
    }
    return this.opened;
  }

  /** The audit log of an existing database, with AUDIT_KEY; warns once when there is no key. */
  audit(): AuditLog {
    if (this.auditLog === undefined) {
      const { auditKey } = this.config();
      const db = this.db({ existing: true });
      if (auditKey === undefined && this.firstTime(db, UNKEYED_NOTICE)) this.io.stderr.write(`${UNKEYED_AUDIT_WARNING}\n`);
      this.auditLog = new AuditLog(db, auditKey === undefined ? {} : { key: auditKey });
    }
    return this.auditLog;
  }

  /** True the first time a notice is asked about for this database, recorded so it is not shown again. */
  private firstTime(db: Database, notice: string): boolean {
    try {
      return db.prepare(`INSERT OR IGNORE INTO cli_notices (name, shown_at) VALUES (?, ?)`).run(notice, new Date().toISOString()).changes === 1;
    } catch {
      return true; // a read-only or locked database: better a repeated warning than none
    }
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
    this.auditLog = undefined;
  }
}
