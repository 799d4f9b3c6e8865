/**
 * Who counts towards the two-person rule, checked at click time (DESIGN §6).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
let engine: ApprovalEngine;
let restore: ReturnType<typeof recordingAction<RestoreParams>>;

beforeEach(() => {
  testDb = new TestDatabase();
  const clock = new ManualClock();
  const db = testDb.open();
  audit = new TestAudit(db, clock);
  directory = new FakeDirectory();
  engine = makeEngine(db, { audit, directory, clock });
  restore = recordingAction<RestoreParams>('restore');
  engine.register(restore);
});
afterEach(() => testDb.close());

async function requestRestore(): Promise<string> {
  const made = await engine.request({ action: 'restore', params: RESTORE_PARAMS, requesterId: 'U_REQ', teamId: TEAM });
  if (made.outcome !== 'created') throw new Error(`request refused: ${made.reason}`);
  return made.status.id;
}

describe('approve', () => {
  it('opens a pending request showing the frozen facts and "0 of 2 approvals"', async () => {
    const id = await requestRestore();
    const status = engine.status(id);
    expect(id).toMatch(/^req_[0-9a-f]{6}$/);
    expect(status).toMatchObject({
      state: 'pending',
      action: 'restore',
      requester: 'U_REQ',
      required: 2,
      approvals: 0,
      summary: '0 of 2 approvals',
      expiresAt: '2025-11-26T10:30:00.000Z',
    });
    expect(status?.facts).toContainEqual({ label: 'sha256', value: '3f9a0c12d4e5' });
    expect(status?.facts).toContainEqual({ label: 'key', value: RESTORE_PARAMS.key });
  });

  it('refuses the requester approving their own request', async () => {
    const id = await requestRestore();
    const vote = await engine.approve({ requestId: id, userId: 'U_REQ', teamId: TEAM });
    expect(vote).toMatchObject({ outcome: 'refused', reason: 'self_approval' });
    expect(engine.status(id)?.summary).toBe('0 of 2 approvals');
    expect(audit.refusals()).toEqual([{ actor: 'U_REQ', reason: 'self_approval' }]);
  });

  it.each([
    ['U_UNLISTED', 'not_authorised'],
    ['U_NOBODY', 'not_authorised'],
    ['U_GUEST', 'guest'],
    ['U_SINGLE_CHANNEL_GUEST', 'guest'],
    ['U_BOT', 'bot'],
    ['U_GONE', 'deleted'],
    ['U_CONNECT', 'other_workspace'],
  ])('does not count %s (%s)', async (userId, reason) => {
    const id = await requestRestore();
    const vote = await engine.approve({ requestId: id, userId, teamId: TEAM });
    expect(vote).toMatchObject({ outcome: 'refused', reason });
    expect(engine.status(id)).toMatchObject({ approvals: 0, approvers: [], state: 'pending' });
    expect(audit.refusals()).toEqual([{ actor: userId, reason }]);
  });

  it('refuses a click from another workspace even by a listed approver', async () => {
    const id = await requestRestore();
    const vote = await engine.approve({ requestId: id, userId: 'U_ANA', teamId: 'T0OTHER' });
    expect(vote).toMatchObject({ outcome: 'refused', reason: 'other_workspace' });
    expect(engine.status(id)?.approvals).toBe(0);
  });

  it('checks authorisation when the button is clicked, not only at request time', async () => {
    const id = await requestRestore();
    const ana = directory.users.get('U_ANA');
    directory.users.set('U_ANA', { ...ana!, authorised: false });
    const vote = await engine.approve({ requestId: id, userId: 'U_ANA', teamId: TEAM });
    expect(vote).toMatchObject({ outcome: 'refused', reason: 'not_authorised' });
  });

  it('refuses, recording nothing, when the directory cannot answer', async () => {
    const id = await requestRestore();
    directory.failing = true;
    const vote = await engine.approve({ requestId: id, userId: 'U_ANA', teamId: TEAM });
    expect(vote).toMatchObject({ outcome: 'refused', reason: 'directory_unavailable' });
    directory.failing = false;
    expect(await engine.approve({ requestId: id, userId: 'U_ANA', teamId: TEAM })).toMatchObject({ outcome: 'recorded' });
  });

  it('counts one person approving twice once', async () => {
    const id = await requestRestore();
    const first = await engine.approve({ requestId: id, userId: 'U_ANA', teamId: TEAM });
    const again = await engine.approve({ requestId: id, userId: 'U_ANA', teamId: TEAM });
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => engine.approve({ requestId: id, userId: 'U_ANA', teamId: TEAM })),
    );
    expect(first.outcome).toBe('recorded');
    expect(again.outcome).toBe('already_recorded');
    expect(concurrent.map((v) => v.outcome)).toEqual(Array(5).fill('already_recorded'));
    expect(engine.status(id)).toMatchObject({ state: 'pending', approvers: ['U_ANA'], summary: '1 of 2 approvals' });
  });

  it('approves when two distinct people approve, and records who did', async () => {
    const id = await requestRestore();
    const first = await engine.approve({ requestId: id, userId: 'U_ANA', teamId: TEAM });
    expect(first).toMatchObject({ outcome: 'recorded', status: { summary: '1 of 2 approvals', state: 'pending' } });
    const second = await engine.approve({ requestId: id, userId: 'U_BEN', teamId: TEAM });
    expect(second).toMatchObject({
      outcome: 'threshold_reached',
      status: { state: 'approved', approvers: ['U_ANA', 'U_BEN'], summary: '2 of 2 approvals' },
    });
    // Approval alone runs nothing: the bot decides when to call execute.
    expect(restore.runs).toHaveLength(0);
    // A third approver or a repeat after the decision changes nothing.
    expect(await engine.approve({ requestId: id, userId: 'U_CAI', teamId: TEAM })).toMatchObject({
      outcome: 'refused',
      reason: 'already_decided',
    });
    expect(await engine.approve({ requestId: id, userId: 'U_BEN', teamId: TEAM })).toMatchObject({ outcome: 'already_recorded' });
    expect(audit.lines(id)).toEqual([
      'U_REQ approval.requested',
      'U_ANA approval.vote_recorded',
      'U_BEN approval.vote_recorded',
      'U_BEN approval.approved',
      'U_CAI approval.refused',
      'U_BEN approval.vote_repeated',
    ]);
  });

  it('refuses a request from someone who may not request', async () => {
    for (const [userId, reason] of [
      ['U_GUEST', 'guest'],
      ['U_UNLISTED', 'not_authorised'],
      ['U_BOT', 'bot'],
    ] as const) {
      const made = await engine.request({ action: 'restore', params: RESTORE_PARAMS, requesterId: userId, teamId: TEAM });
      expect(made).toEqual({ outcome: 'refused', reason });
    }
    const foreign = await engine.request({ action: 'restore', params: RESTORE_PARAMS, requesterId: 'U_REQ', teamId: 'T0OTHER' });
    expect(foreign).toEqual({ outcome: 'refused', reason: 'other_workspace' });
    expect(engine.list({ states: ['pending'] })).toEqual([]);
    expect(audit.refusals().map((r) => r.actor)).toEqual(['U_GUEST', 'U_UNLISTED', 'U_BOT', 'U_REQ']);
  });

  it('says not_found for an unknown request id, and audits the click', async () => {
    const vote = await engine.approve({ requestId: 'req_000000', userId: 'U_ANA', teamId: TEAM });
    expect(vote).toEqual({ outcome: 'refused', reason: 'not_found' });
    expect(audit.rows.at(-1)).toMatchObject({ actor: 'U_ANA', event: 'approval.refused', target: 'req_000000' });
  });
});
