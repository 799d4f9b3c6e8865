/**
 * Deny, cancel, expiry, thresholds and registration rules (DESIGN §6).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { refusalMessage, type ApprovalEngine } from '../../../src/core/approvals/index.js';
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

const MINUTE = 60_000;

let testDb: TestDatabase;
let audit: TestAudit;
let clock: ManualClock;
let engine: ApprovalEngine;

beforeEach(() => {
  testDb = new TestDatabase();
  clock = new ManualClock();
  audit = new TestAudit(testDb.open(), clock);
  engine = makeEngine(testDb.open(), { audit, directory: new FakeDirectory(), clock });
  engine.register(recordingAction<RestoreParams>('restore'));
  engine.register(recordingAction('seal'));
});
afterEach(() => testDb.close());

async function open(action: string, params: object = RESTORE_PARAMS): Promise<string> {
  const made = await engine.request({ action, params, requesterId: 'U_REQ', teamId: TEAM, reason: 'drill night' });
  if (made.outcome !== 'created') throw new Error(`request refused: ${made.reason}`);
  return made.status.id;
}

const by = (userId: string, requestId: string) => ({ requestId, userId, teamId: TEAM });

describe('deny', () => {
  it('stops the request; later approvals are refused as already decided', async () => {
    const id = await open('restore');
    await engine.approve(by('U_ANA', id));
    const denied = await engine.deny({ ...by('U_BEN', id), reason: 'wrong date' });
    expect(denied).toMatchObject({ outcome: 'denied', status: { state: 'denied', deniedBy: 'U_BEN' } });
    expect(await engine.approve(by('U_CAI', id))).toMatchObject({ outcome: 'refused', reason: 'already_decided' });
    expect(await engine.deny(by('U_BEN', id))).toMatchObject({ outcome: 'already_recorded' });
    expect(await engine.execute(id)).toMatchObject({ outcome: 'refused', reason: 'not_approved' });
    expect(audit.rows.find((r) => r.event === 'approval.denied')).toMatchObject({
      actor: 'U_BEN',
      details: { reason: 'wrong date' },
    });
  });

  it('refuses a deny from someone not authorised', async () => {
    const id = await open('restore');
    expect(await engine.deny(by('U_GUEST', id))).toMatchObject({ outcome: 'refused', reason: 'guest' });
    expect(engine.status(id)?.state).toBe('pending');
  });

  it('treats the requester pressing Deny as a cancel', async () => {
    const id = await open('restore');
    expect(await engine.deny(by('U_REQ', id))).toMatchObject({ outcome: 'cancelled', status: { state: 'cancelled' } });
    expect(audit.lines(id)).toContain('U_REQ approval.cancelled');
  });
});

describe('cancel', () => {
  it('lets only the requester cancel', async () => {
    const id = await open('restore');
    expect(await engine.cancel({ requestId: id, userId: 'U_ANA' })).toMatchObject({ outcome: 'refused', reason: 'not_requester' });
    expect(engine.status(id)?.state).toBe('pending');
    expect(await engine.cancel({ requestId: id, userId: 'U_REQ' })).toMatchObject({ outcome: 'cancelled' });
    expect(await engine.cancel({ requestId: id, userId: 'U_REQ' })).toMatchObject({ outcome: 'already_cancelled' });
    expect(await engine.approve(by('U_ANA', id))).toMatchObject({ outcome: 'refused', reason: 'already_decided' });
    expect(audit.refusals()).toEqual([
      { actor: 'U_ANA', reason: 'not_requester' },
      { actor: 'U_ANA', reason: 'already_decided' },
    ]);
  });

  it('cannot cancel once approved', async () => {
    const id = await open('restore');
    await engine.approve(by('U_ANA', id));
    await engine.approve(by('U_BEN', id));
    expect(await engine.cancel({ requestId: id, userId: 'U_REQ' })).toMatchObject({ outcome: 'refused', reason: 'already_decided' });
    expect(engine.status(id)?.state).toBe('approved');
  });
});

describe('expiry', () => {
  it('expires seal after 15 minutes and restore after 30', async () => {
    const seal = await open('seal', { reason: 'suspected compromise' });
    const restore = await open('restore');
    expect(engine.status(seal)?.expiresAt).toBe('2025-11-26T10:15:00.000Z');

    clock.advance(15 * MINUTE - 1);
    expect(engine.expireDue()).toEqual([]);
    clock.advance(1);
    expect(engine.expireDue().map((s) => [s.id, s.state])).toEqual([[seal, 'expired']]);
    expect(await engine.approve(by('U_ANA', seal))).toMatchObject({ outcome: 'refused', reason: 'expired' });
    expect(await engine.approve(by('U_ANA', restore))).toMatchObject({ outcome: 'recorded' });

    clock.advance(15 * MINUTE);
    expect(engine.expireDue().map((s) => s.id)).toEqual([restore]);
    expect(await engine.approve(by('U_BEN', restore))).toMatchObject({
      outcome: 'refused',
      reason: 'expired',
      status: { state: 'expired', summary: '1 of 2 approvals' },
    });
    expect(engine.expireDue()).toEqual([]);
    expect(audit.lines(seal)).toEqual(['U_REQ approval.requested', 'system approval.expired', 'U_ANA approval.refused']);
  });

  it('refuses a late click even before the expiry sweep has run', async () => {
    const id = await open('restore');
    await engine.approve(by('U_ANA', id));
    clock.advance(30 * MINUTE);
    expect(await engine.approve(by('U_BEN', id))).toMatchObject({ outcome: 'refused', reason: 'expired' });
    expect(engine.status(id)?.state).toBe('expired');
    expect(audit.lines(id).slice(-2)).toEqual(['system approval.expired', 'U_BEN approval.refused']);
  });
});

describe('registration', () => {
  it('refuses seal, restore or rotate with fewer than two approvals', () => {
    const fresh = makeEngine(testDb.open(), { audit, directory: new FakeDirectory(), clock });
    let error: unknown;
    try {
      fresh.register(recordingAction('seal', { approvalsRequired: 1 }));
    } catch (e) {
      error = e;
    }
    expect(isCoreError(error, 'config_invalid')).toBe(true);
    expect((error as Error).message).toBe('Action "seal" asks for 1 approvals; the lowest allowed is 2 (default 2).');
    expect(() => fresh.register(recordingAction('restore', { approvalsRequired: 0 }))).toThrow(/lowest allowed is 2/);
    expect(() => fresh.register(recordingAction('rotate', { approvalsRequired: 1 }))).toThrow(/lowest allowed is 2/);
    expect(fresh.register(recordingAction('seal', { approvalsRequired: 3 }))).toEqual({ approvalsRequired: 3, ttlMs: 15 * MINUTE });
  });

  it('refuses registering the same action twice, and future actions below two', () => {
    expect(() => engine.register(recordingAction('restore'))).toThrow(/registered twice/);
    expect(() => engine.register(recordingAction('unseal-watch', { approvalsRequired: 1 }))).toThrow(/lowest allowed is 2/);
  });

  it('runs a drill configured with 0 approvals without waiting', async () => {
    engine.register(recordingAction('drill', { approvalsRequired: 0 }));
    const made = await engine.request({ action: 'drill', params: { kind: 'backup-integrity' }, requesterId: 'U_REQ', teamId: TEAM });
    expect(made).toMatchObject({ outcome: 'created', status: { state: 'approved', summary: 'no approvals needed' } });
    const id = made.outcome === 'created' ? made.status.id : '';
    expect(await engine.execute(id, { actor: 'U_REQ' })).toMatchObject({ outcome: 'succeeded' });
  });

  it('asks one approval for a drill by default', async () => {
    engine.register(recordingAction('drill'));
    const id = await open('drill', { kind: 'seal' });
    expect(engine.status(id)?.summary).toBe('0 of 1 approval');
    expect(await engine.approve(by('U_ANA', id))).toMatchObject({ outcome: 'threshold_reached' });
  });
});

describe('status and messages', () => {
  it('lists open requests newest first and keeps the chat message reference', async () => {
    const first = await open('restore');
    clock.advance(1000);
    const second = await open('seal', { reason: 'x' });
    expect(engine.list().map((s) => s.id)).toEqual([second, first]);
    expect(engine.attachMessage(first, { channel: 'C0OPS', ts: '1732615200.000100' })).toBe(true);
    expect(engine.attachMessage('req_ffffff', { channel: 'C0OPS', ts: '1' })).toBe(false);
    expect(engine.messageRef(first)).toEqual({ channel: 'C0OPS', ts: '1732615200.000100' });
    expect(engine.status(first)?.messageRef).toEqual({ channel: 'C0OPS', ts: '1732615200.000100' });
    expect(engine.messageRef(second)).toBeUndefined();
    await engine.cancel({ requestId: second, userId: 'U_REQ' });
    expect(engine.list({ states: ['cancelled'] }).map((s) => s.id)).toEqual([second]);
    expect(engine.status(first)).toMatchObject({ reason: 'drill night', headline: 'Waiting for approvals' });
  });

  it('has one plain sentence for every refusal', () => {
    expect(refusalMessage('self_approval')).toMatch(/cannot approve/);
    expect(refusalMessage('expired')).not.toMatch(/[<>*_`]/);
  });

  it('refuses parameters that are not plain JSON before anything is stored', async () => {
    await expect(
      engine.request({ action: 'restore', params: { at: new Date() }, requesterId: 'U_REQ', teamId: TEAM }),
    ).rejects.toThrow(/params\.at is a Date object/);
    expect(engine.list({ states: ['pending'] })).toEqual([]);
  });
});
