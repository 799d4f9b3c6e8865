/**
 * Exactly-once execution (DESIGN §6): concurrent clicks, a second connection, separate processes,
 * restarts, interrupted runs, frozen parameters and failures.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreError } from '../../../src/core/errors.js';
import type { ApprovalEngine } from '../../../src/core/approvals/index.js';
import {
  FakeDirectory,
  TestAudit,
  ManualClock,
  RESTORE_PARAMS,
  type RestoreParams,
  TEAM,
  TestDatabase,
  makeEngine,
  recordingAction,
} from './helpers.js';

let testDb: TestDatabase;
let audit: TestAudit;
let directory: FakeDirectory;
let clock: ManualClock;

beforeEach(() => {
  testDb = new TestDatabase();
  directory = new FakeDirectory();
  clock = new ManualClock();
  audit = new TestAudit(testDb.open(), clock);
});
afterEach(() => testDb.close());

function newEngine(db = testDb.open()): ApprovalEngine {
  return makeEngine(db, { audit, directory, clock });
}

const by = (userId: string, requestId: string) => ({ requestId, userId, teamId: TEAM });

async function approvedRestore(engine: ApprovalEngine, params: object = RESTORE_PARAMS): Promise<string> {
  const made = await engine.request({ action: 'restore', params, requesterId: 'U_REQ', teamId: TEAM });
  if (made.outcome !== 'created') throw new Error(`request refused: ${made.reason}`);
  await engine.approve(by('U_ANA', made.status.id));
  const second = await engine.approve(by('U_BEN', made.status.id));
  expect(second.outcome).toBe('threshold_reached');
  return made.status.id;
}

describe('execute', () => {
  it('runs the action exactly once for 20 concurrent calls', async () => {
    const engine = newEngine();
    const restore = recordingAction<RestoreParams>('restore');
    engine.register(restore);
    const id = await approvedRestore(engine);

    const results = await Promise.all(Array.from({ length: 20 }, () => engine.execute(id, { actor: 'U_BEN' })));

    expect(restore.runs).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'succeeded')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already_claimed')).toHaveLength(19);
    expect(engine.status(id)).toMatchObject({ state: 'succeeded', result: { ok: true, summary: 'restore done' } });
    expect(audit.lines(id).filter((l) => l.endsWith('approval.executing'))).toEqual(['U_BEN approval.executing']);
    expect(audit.lines(id).filter((l) => l.endsWith('approval.succeeded'))).toEqual(['U_BEN approval.succeeded']);
  });

  it('runs once when two connections to the same file race', async () => {
    const engineA = newEngine();
    const engineB = newEngine(testDb.open());
    const restoreA = recordingAction<RestoreParams>('restore');
    const restoreB = recordingAction<RestoreParams>('restore');
    engineA.register(restoreA);
    engineB.register(restoreB);
    const id = await approvedRestore(engineA);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? engineA : engineB).execute(id)),
    );

    expect(restoreA.runs.length + restoreB.runs.length).toBe(1);
    expect(results.filter((r) => r.outcome === 'succeeded')).toHaveLength(1);
    expect(engineB.status(id)?.state).toBe('succeeded');
  });

  it('runs once when separate processes race', async () => {
    const engine = newEngine();
    engine.register(recordingAction<RestoreParams>('restore'));
    const id = await approvedRestore(engine);
    const sideEffects = join(testDb.dir, 'runs.log');
    const worker = fileURLToPath(new URL('./fixtures/execute-worker.ts', import.meta.url));
    const run = promisify(execFile);

    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, ['--import', 'tsx', worker, testDb.dir, id, sideEffects, '5'], { cwd: process.cwd() }),
      ),
    );

    const outcomes = outputs.flatMap((o) => JSON.parse(o.stdout) as string[]);
    expect(outcomes).toHaveLength(20);
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already_claimed')).toHaveLength(19);
    const lines = readFileSync(sideEffects, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(RESTORE_PARAMS.sha256);
    expect(engine.status(id)?.state).toBe('succeeded');
    // All processes wrote to the one audit chain: one claim, 19 refusals, and the chain still verifies.
    expect(audit.lines(id).filter((l) => l.endsWith('approval.executing'))).toEqual(['system approval.executing']);
    expect(audit.lines(id).filter((l) => l.endsWith('approval.execute_refused'))).toHaveLength(19);
    expect(audit.log.verify().ok).toBe(true);
  });

  it('gives the action exactly the parameters frozen at request time, read-only', async () => {
    const engine = newEngine();
    const restore = recordingAction<RestoreParams>('restore');
    engine.register(restore);
    const params = { ...RESTORE_PARAMS };
    const id = await approvedRestore(engine, params);
    params.key = 'daily/2025-11-27/vault-snapshot-20251127-020000.enc'; // the caller's object changes later

    await engine.execute(id);

    expect(restore.runs).toHaveLength(1);
    const ran = restore.runs[0]!;
    expect(ran.params).toEqual(RESTORE_PARAMS);
    expect(Object.isFrozen(ran.params)).toBe(true);
    expect(ran.ctx).toMatchObject({ requestId: id, action: 'restore', actor: 'system', requester: 'U_REQ', approvers: ['U_ANA', 'U_BEN'] });
  });

  it('refuses to run parameters that no longer match their frozen hash', async () => {
    const db = testDb.open();
    const engine = newEngine(db);
    const restore = recordingAction<RestoreParams>('restore');
    engine.register(restore);
    const id = await approvedRestore(engine);
    db.prepare('UPDATE approval_requests SET params_json = ? WHERE id = ?').run(
      JSON.stringify({ ...RESTORE_PARAMS, key: 'daily/2020-01-01/vault-snapshot-20200101-020000.enc' }),
      id,
    );

    const result = await engine.execute(id);

    expect(restore.runs).toHaveLength(0);
    expect(result).toMatchObject({ outcome: 'failed', status: { state: 'failed', result: { ok: false, code: 'params_changed' } } });
    expect(await engine.execute(id)).toMatchObject({ outcome: 'already_claimed' });
  });

  it('records a failure with the safe user message only', async () => {
    const engine = newEngine();
    const secret = 'hvs.SECRET-TOKEN';
    const failure = new CoreError('vault_sealed', 'Vault is sealed; unseal it, then request the restore again.', {
      cause: new Error(`token ${secret} rejected`),
    });
    engine.register(recordingAction<RestoreParams>('restore', { fail: failure }));
    const id = await approvedRestore(engine);

    const result = await engine.execute(id);

    expect(result).toMatchObject({
      outcome: 'failed',
      status: { state: 'failed', result: { ok: false, code: 'vault_sealed', message: failure.userMessage } },
    });
    expect(JSON.stringify(audit.rows)).not.toContain(secret);
    expect(JSON.stringify(engine.status(id))).not.toContain(secret);
  });

  it('hides foreign errors behind a generic message', async () => {
    const engine = newEngine();
    engine.register(recordingAction<RestoreParams>('restore', { fail: new Error('ECONNRESET 10.0.0.7 token=abc') }));
    const id = await approvedRestore(engine);
    const result = await engine.execute(id);
    expect(result).toMatchObject({ outcome: 'failed', status: { result: { code: 'internal' } } });
    expect(JSON.stringify(result)).not.toContain('token=abc');
  });

  it('refuses to run a request that is still pending', async () => {
    const engine = newEngine();
    const restore = recordingAction<RestoreParams>('restore');
    engine.register(restore);
    const made = await engine.request({ action: 'restore', params: RESTORE_PARAMS, requesterId: 'U_REQ', teamId: TEAM });
    const id = made.outcome === 'created' ? made.status.id : '';
    await engine.approve(by('U_ANA', id));
    expect(await engine.execute(id, { actor: 'U_ANA' })).toMatchObject({ outcome: 'refused', reason: 'not_approved' });
    expect(restore.runs).toHaveLength(0);
    expect(audit.rows.at(-1)).toMatchObject({ actor: 'U_ANA', event: 'approval.execute_refused' });
  });

  it('approveAndRun runs on the approval that reaches the threshold, with a pino logger', async () => {
    const logger = pino({ level: 'silent' });
    const engine = makeEngine(testDb.open(), { audit, directory, clock }, { logger });
    const restore = recordingAction<RestoreParams>('restore');
    engine.register(restore);
    const made = await engine.request({ action: 'restore', params: RESTORE_PARAMS, requesterId: 'U_REQ', teamId: TEAM });
    const id = made.outcome === 'created' ? made.status.id : '';

    const first = await engine.approveAndRun(by('U_ANA', id));
    expect(first).toEqual({ approval: expect.objectContaining({ outcome: 'recorded' }) });
    const second = await engine.approveAndRun(by('U_BEN', id));
    expect(second.execution).toMatchObject({ outcome: 'succeeded', status: { state: 'succeeded' } });
    const repeat = await engine.approveAndRun(by('U_BEN', id));
    expect(repeat.execution).toBeUndefined();
    expect(restore.runs).toHaveLength(1);
    expect(restore.runs[0]?.ctx.logger).toBeDefined();
  });
});

describe('restarts', () => {
  it('completes exactly once when the bot restarts between the first and second approval', async () => {
    const before = newEngine();
    const restoreBefore = recordingAction<RestoreParams>('restore');
    before.register(restoreBefore);
    const made = await before.request({ action: 'restore', params: RESTORE_PARAMS, requesterId: 'U_REQ', teamId: TEAM });
    const id = made.outcome === 'created' ? made.status.id : '';
    await before.approve(by('U_ANA', id));
    testDb.open().close(); // nothing else holds the file open in a real restart
    const after = newEngine(testDb.open());
    const restoreAfter = recordingAction<RestoreParams>('restore');
    after.register(restoreAfter);

    expect(after.recoverInterrupted()).toEqual([]);
    expect(after.status(id)?.summary).toBe('1 of 2 approvals');
    expect(await after.approve(by('U_ANA', id))).toMatchObject({ outcome: 'already_recorded' });
    const { execution } = await after.approveAndRun(by('U_BEN', id));
    expect(execution?.outcome).toBe('succeeded');
    expect(await after.execute(id)).toMatchObject({ outcome: 'already_claimed' });
    expect(await before.execute(id)).toMatchObject({ outcome: 'already_claimed' });
    expect(restoreBefore.runs.length + restoreAfter.runs.length).toBe(1);
  });

  it('marks a request left executing as interrupted and never re-runs it', async () => {
    const engine = newEngine();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const restore = recordingAction<RestoreParams>('restore', { gate });
    engine.register(restore);
    const id = await approvedRestore(engine);
    const running = engine.execute(id); // the process "crashes" while this is in flight
    expect(engine.status(id)?.state).toBe('executing');

    const restarted = newEngine(testDb.open());
    const restoreAfter = recordingAction<RestoreParams>('restore');
    restarted.register(restoreAfter);
    const interrupted = restarted.recoverInterrupted();

    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]).toMatchObject({ id, state: 'interrupted', headline: 'Interrupted by a restart; not re-run' });
    expect(interrupted[0]?.result).toMatchObject({ ok: false, code: 'interrupted' });
    expect(await restarted.execute(id)).toMatchObject({ outcome: 'already_claimed' });
    expect(restarted.recoverInterrupted()).toEqual([]);
    expect(restoreAfter.runs).toHaveLength(0);
    expect(audit.lines(id)).toContain('system approval.interrupted');

    release();
    await running; // the old run finishing late does not overwrite the interrupted state
    expect(restarted.status(id)?.state).toBe('interrupted');
  });
});

describe('audit trail', () => {
  it('records every step of a request with the acting user', async () => {
    const engine = newEngine();
    engine.register(recordingAction<RestoreParams>('restore'));
    const id = await approvedRestore(engine);
    await engine.approve(by('U_REQ', id));
    await engine.execute(id, { actor: 'U_BEN' });
    expect(audit.lines(id)).toEqual([
      'U_REQ approval.requested',
      'U_ANA approval.vote_recorded',
      'U_BEN approval.vote_recorded',
      'U_BEN approval.approved',
      'U_REQ approval.refused',
      'U_BEN approval.executing',
      'U_BEN approval.succeeded',
    ]);
    expect(audit.rows[0]?.details).toMatchObject({ action: 'restore', threshold: 2, paramsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(existsSync(testDb.path)).toBe(true);
    expect(audit.log.verify().ok).toBe(true);
  });
});
