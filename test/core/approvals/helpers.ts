/**
 * @module test/core/approvals/helpers
 * Shared setup for the approval engine tests: the real database (openDatabase, all migrations)
 * in a temp dir, the real hash-chained audit log, a directory fake (the public
 * ApproverDirectory interface the bot implements), a hand-moved clock and recording actions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../../src/core/audit/index.js';
import type { AuditEntry, AuditHead, AuditRecord, AuditTrail } from '../../../src/core/audit/types.js';
import { DATABASE_FILE, openDatabase, type Database } from '../../../src/core/db/index.js';
import type { Clock } from '../../../src/core/clock.js';
import { ApprovalEngine, type ApprovalEngineOptions } from '../../../src/core/approvals/index.js';
import type {
  ActionDefinition,
  ApproverDirectory,
  DirectoryEntry,
  ExecutionContext,
} from '../../../src/core/approvals/index.js';

export const TEAM = 'T0WORKSPACE';

/** A temp data dir; each `open()` is another connection to the same database file, as after a restart. */
export class TestDatabase {
  readonly dir = mkdtempSync(join(tmpdir(), 'vc-approvals-'));
  readonly path = join(this.dir, DATABASE_FILE);
  readonly #connections: Database[] = [];

  open(): Database {
    const db = openDatabase(this.dir);
    this.#connections.push(db);
    return db;
  }

  close(): void {
    for (const db of this.#connections) if (db.open) db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The real audit log, plus readers that make assertions short. */
export class TestAudit implements AuditTrail {
  readonly log: AuditLog;

  constructor(db: Database, clock: ManualClock) {
    this.log = new AuditLog(db, { key: 'test-audit-key', clock: clock.clock });
  }

  append(entry: AuditEntry): AuditRecord {
    return this.log.append(entry);
  }

  head(): AuditHead {
    return this.log.head();
  }

  /** Every stored row, oldest first (from the database, so other connections' rows count too). */
  get rows(): AuditRecord[] {
    return this.log.tail(Number.MAX_SAFE_INTEGER);
  }

  /** `actor event target` lines, easy to compare. */
  lines(target?: string): string[] {
    return this.rows.filter((r) => target === undefined || r.target === target).map((r) => `${r.actor} ${r.event}`);
  }

  refusals(): Array<{ actor: string; reason: unknown }> {
    return this.rows.filter((r) => r.event === 'approval.refused').map((r) => ({ actor: r.actor, reason: r.details.reason }));
  }
}

const member: DirectoryEntry = {
  authorised: true,
  deleted: false,
  isBot: false,
  isRestricted: false,
  isUltraRestricted: false,
  teamId: TEAM,
};

/** The people of the test workspace, looked up as the bot would with users.info. */
export class FakeDirectory implements ApproverDirectory {
  readonly users = new Map<string, DirectoryEntry>([
    ['U_REQ', member],
    ['U_ANA', member],
    ['U_BEN', member],
    ['U_CAI', member],
    ['U_UNLISTED', { ...member, authorised: false }],
    ['U_GUEST', { ...member, isRestricted: true }],
    ['U_SINGLE_CHANNEL_GUEST', { ...member, isUltraRestricted: true }],
    ['U_BOT', { ...member, isBot: true }],
    ['U_GONE', { ...member, deleted: true }],
    ['U_CONNECT', { ...member, teamId: 'T0OTHER' }],
  ]);
  failing = false;

  async lookup(userId: string): Promise<DirectoryEntry | undefined> {
    if (this.failing) throw new Error('users.info: ratelimited');
    return this.users.get(userId);
  }
}

export class ManualClock {
  now = new Date('2025-11-26T10:00:00.000Z');
  readonly clock: Clock = () => new Date(this.now.getTime());

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface RestoreParams {
  key: string;
  sha256: string;
  target: 'prod' | 'staging';
}

/** An action that records every run; `gate` lets a test hold a run open. */
export function recordingAction<P extends object>(
  name: string,
  options: Partial<Pick<ActionDefinition<P>, 'approvalsRequired' | 'ttlMs'>> & {
    fail?: Error;
    gate?: Promise<void>;
  } = {},
): ActionDefinition<P> & { runs: Array<{ params: Readonly<P>; ctx: ExecutionContext }> } {
  const runs: Array<{ params: Readonly<P>; ctx: ExecutionContext }> = [];
  return {
    name,
    ...(options.approvalsRequired === undefined ? {} : { approvalsRequired: options.approvalsRequired }),
    ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    runs,
    describe: (params) =>
      Object.entries(params).map(([label, value]) => ({
        label,
        value: label === 'sha256' ? String(value).slice(0, 12) : String(value),
      })),
    async execute(params, ctx) {
      runs.push({ params, ctx });
      // Yield so concurrent callers really overlap with a run in progress.
      await (options.gate ?? new Promise((resolve) => setImmediate(resolve)));
      if (options.fail) throw options.fail;
      return { summary: `${name} done` };
    },
  };
}

export const RESTORE_PARAMS: RestoreParams = {
  key: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc',
  sha256: '3f9a0c12d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a',
  target: 'prod',
};

export function makeEngine(
  db: Database,
  deps: { audit: TestAudit; directory: FakeDirectory; clock: ManualClock },
  extra: Partial<ApprovalEngineOptions> = {},
): ApprovalEngine {
  return new ApprovalEngine({ db, audit: deps.audit, directory: deps.directory, teamId: TEAM, clock: deps.clock.clock, ...extra });
}
