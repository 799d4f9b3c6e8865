/**
 * DESIGN §6: the requester and every approver are checked again at the moment of execution. A vote
 * from someone who no longer qualifies does not count; under the threshold nothing runs, and the
 * result names the dropped vote and why.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalEngine } from '../../../src/core/approvals/index.js';
import { FakeDirectory, ManualClock, RESTORE_PARAMS, type RestoreParams, TEAM, TestAudit, TestDatabase, makeEngine, recordingAction } from './helpers.js';

let testDb: TestDatabase;
let audit: TestAudit;
let directory: FakeDirectory;
let clock: ManualClock;
let engine: ApprovalEngine;
let restore: ReturnType<typeof recordingAction<RestoreParams>>;

beforeEach(() => {
  testDb = new TestDatabase();
  directory = new FakeDirectory();
  clock = new ManualClock();
  audit = new TestAudit(testDb.open(), clock);
  engine = makeEngine(testDb.open(), { audit, directory, clock });
  restore = recordingAction<RestoreParams>('restore');
  engine.register(restore);
});
afterEach(() => testDb.close());

const by = (userId: string, requestId: string) => ({ requestId, userId, teamId: TEAM });
const gone = (id: string, change: object) => directory.users.set(id, { ...(directory.users.get(id) as object), ...change } as never);

async function requested(): Promise<string> {
  const made = await engine.request({ action: 'restore', params: RESTORE_PARAMS, requesterId: 'U_REQ', teamId: TEAM });
  if (made.outcome !== 'created') throw new Error(made.reason);
  return made.status.id;
}

describe('re-check at execution', () => {
  it('does not count a vote from an approver deactivated after voting, and does not run', async () => {
    const id = await requested();
    await engine.approve(by('U_ANA', id));
    gone('U_ANA', { deleted: true });
    const { approval, execution } = await engine.approveAndRun(by('U_BEN', id));
    expect(approval.outcome).toBe('threshold_reached');
    expect(restore.runs).toHaveLength(0);
    expect(execution?.outcome).toBe('failed');
    const result = engine.status(id)?.result;
    expect(result).toMatchObject({ ok: false, code: 'approvals_withdrawn', dropped: [{ userId: 'U_ANA', role: 'approver', reason: 'deleted' }] });
    expect(result && !result.ok ? result.message : '').toMatch(/the vote of U_ANA \(deactivated\) no longer counts, leaving 1 of 2 approvals/);
    const recheck = audit.rows.find((r) => r.event === 'approval.votes_rechecked');
    expect(recheck?.details).toMatchObject({ dropped: [{ userId: 'U_ANA', reason: 'deleted' }], counted: 1, required: 2 });
  });

  it('drops a vote from someone made a guest or taken off the approver list', async () => {
    const id = await requested();
    await engine.approve(by('U_ANA', id));
    await engine.approve(by('U_BEN', id)).then(() => undefined);
    // Approved now; both change before the run starts (e.g. a restart resumes it).
    gone('U_ANA', { isRestricted: true });
    gone('U_BEN', { authorised: false });
    const run = await engine.execute(id);
    expect(run.outcome).toBe('failed');
    expect(restore.runs).toHaveLength(0);
    const result = engine.status(id)?.result;
    expect(result && !result.ok ? result.message : '').toContain('U_ANA (now a guest account); the vote of U_BEN (no longer in SLACK_APPROVERS or the approver group)');
  });

  it('refuses to run a request whose requester was deactivated', async () => {
    const id = await requested();
    await engine.approve(by('U_ANA', id));
    gone('U_REQ', { deleted: true });
    await engine.approveAndRun(by('U_BEN', id));
    expect(restore.runs).toHaveLength(0);
    const result = engine.status(id)?.result;
    expect(result && !result.ok ? result.message : '').toMatch(/the requester U_REQ \(deactivated\)/);
  });

  it('runs with the votes that still count when they meet the threshold', async () => {
    const id = await requested();
    await engine.approve(by('U_ANA', id));
    await engine.approve(by('U_BEN', id));
    const made = engine.status(id);
    expect(made?.state).toBe('approved');
    const run = await engine.execute(id);
    expect(run.outcome).toBe('succeeded');
    expect(restore.runs[0]?.ctx.approvers).toEqual(['U_ANA', 'U_BEN']);
  });
});
