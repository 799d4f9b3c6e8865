/**
 * The approver directory answers from Slack at click time: users.info for what the account is,
 * SLACK_APPROVERS and the approver group for membership, the group cached for at most 60 s.
 */
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackApproverDirectory } from '../../src/bot/approver-directory.js';
import { startFakeSlack, type FakeSlack } from '../support/slack/index.js';
import { TestClock } from './bot-harness.js';

describe('SlackApproverDirectory', () => {
  let fake: FakeSlack;
  let client: webApi.WebClient;
  let clock: TestClock;
  beforeEach(async () => {
    fake = await startFakeSlack({ usergroups: { S0APPROVERS: ['U0BOB'] } });
    client = new webApi.WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    clock = new TestClock(new Date('2025-11-26T10:00:00Z'));
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('describes each account as users.info does, with membership from the list and the group', async () => {
    fake.addUser({ id: 'U0GONE', deleted: true });
    const dir = new SlackApproverDirectory({ client, approvers: ['U0ALICE', 'U0GUEST', 'U0GONE'], approverGroup: 'S0APPROVERS', clock: clock.now });
    expect(await dir.lookup('U0ALICE')).toMatchObject({ authorised: true, deleted: false, isBot: false, isRestricted: false, teamId: fake.teamId });
    expect(await dir.lookup('U0BOB')).toMatchObject({ authorised: true });
    expect(await dir.lookup('U0CAROL')).toMatchObject({ authorised: false });
    expect(await dir.lookup('U0GUEST')).toMatchObject({ authorised: true, isRestricted: true });
    expect(await dir.lookup('U0GONE')).toMatchObject({ deleted: true });
    expect(await dir.lookup(fake.botUserId)).toMatchObject({ isBot: true });
    expect(await dir.lookup('U0NOBODY')).toBeUndefined();
  });

  it('asks for the group at most once a minute, and sees a change after that', async () => {
    const dir = new SlackApproverDirectory({ client, approverGroup: 'S0APPROVERS', clock: clock.now });
    expect((await dir.lookup('U0CAROL'))?.authorised).toBe(false);
    fake.setUsergroup('S0APPROVERS', ['U0BOB', 'U0CAROL']);
    expect((await dir.lookup('U0CAROL'))?.authorised).toBe(false);
    expect(fake.callsTo('usergroups.users.list')).toHaveLength(1);
    clock.advance(60_001);
    expect((await dir.lookup('U0CAROL'))?.authorised).toBe(true);
    expect(fake.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('a fresh lookup (the execution-time re-check) ignores the cached group: someone just removed no longer counts', async () => {
    const dir = new SlackApproverDirectory({ client, approverGroup: 'S0APPROVERS', clock: clock.now });
    expect((await dir.lookup('U0BOB'))?.authorised).toBe(true);
    fake.setUsergroup('S0APPROVERS', []);
    expect((await dir.lookup('U0BOB'))?.authorised).toBe(true); // a click within the minute: cached
    expect((await dir.lookup('U0BOB', { fresh: true }))?.authorised).toBe(false);
    expect(fake.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('rejects when Slack cannot answer, so the engine refuses instead of guessing', async () => {
    const dir = new SlackApproverDirectory({ client, approverGroup: 'S0APPROVERS', clock: clock.now });
    fake.failNext('users.info', { error: 'internal_error' });
    await expect(dir.lookup('U0BOB')).rejects.toThrow();
  });
});
