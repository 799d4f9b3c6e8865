/**
 * `/vault approvals` as an approver reads it: each open request says what it would do (its frozen
 * facts), who asked and when, who approved so far, and when it expires, in UTC and relative.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ephemeralTexts, requestMessage, startBotHarness, type BotHarness } from './bot-harness.js';

let h: BotHarness;
beforeEach(async () => {
  h = await startBotHarness();
});
afterEach(async () => {
  await h?.close();
});

it('lists each open request with what it would do, its votes and its expiry', async () => {
  await h.slack.command({ userId: 'U0ALICE', text: 'seal suspected token leak' });
  await h.slack.clickButton({ userId: 'U0BOB', message: requestMessage(h), actionId: 'approval_approve' });
  const res = await h.slack.command({ userId: 'U0CAROL', text: 'approvals' });
  expect(res.status).toBe(200);
  const text = ephemeralTexts(h, 'U0CAROL').at(-1) ?? '';
  expect(text).toContain('1 open approval request');
  expect(text).toMatch(/seal requested by @U0ALICE just now · Waiting for approvals · 1 of 2 approvals: @U0BOB · expires 2025-11-26 02:15 UTC \(in 1[45] min\)/);
  expect(text).toMatch(/would: .*http:\/\/127\.0\.0\.1:\d+/);
});

it('/vault backups says when each backup was verified, in UTC and relative; one backup is "The newest backup"', async () => {
  const outcome = await h.bot.deps.backups.backup('manual', 'U0ALICE');
  expect(outcome.ok).toBe(true);
  await h.slack.command({ userId: 'U0CAROL', text: 'backups' });
  const text = ephemeralTexts(h, 'U0CAROL').at(-1) ?? '';
  expect(text).toContain('The newest backup (verified after upload)');
  expect(text).toMatch(/`manual\/2025-11-26\/vault-snapshot-20251126-\d{6}\.enc` · [\d.]+ KiB · verified 2025-11-26 02:0\d UTC \(just now\) · sha256/);
});
