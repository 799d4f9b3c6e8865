/**
 * The request message renders the engine's facts safely: user-typed text is escaped (a reason
 * cannot ping the channel), lengths are capped to Slack's limits, and buttons exist only while
 * the request is pending.
 */
import { describe, expect, it } from 'vitest';
import { renderRequestMessage, stateLine } from '../../src/bot/blocks/request-message.js';
import { capText, escapeText, safeText } from '../../src/bot/text.js';
import type { ApprovalStatus } from '../../src/core/approvals/index.js';
import { validateBlocks } from '../support/slack/index.js';

function status(overrides: Partial<ApprovalStatus> = {}): ApprovalStatus {
  return {
    id: 'req_abc123',
    action: 'restore',
    state: 'pending',
    headline: 'Waiting for approvals',
    requester: 'U0ALICE',
    teamId: 'T0',
    reason: null,
    approvers: [],
    approvals: 0,
    required: 2,
    summary: '0 of 2 approvals',
    deniedBy: null,
    facts: [
      { label: 'Backup', value: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc' },
      { label: 'sha256', value: '3f9a0c12d4e5' },
    ],
    paramsSha256: 'f'.repeat(64),
    createdAt: '2025-11-26T10:00:00.000Z',
    expiresAt: '2025-11-26T10:30:00.000Z',
    decidedAt: null,
    executedAt: null,
    finishedAt: null,
    result: null,
    messageRef: null,
    ...overrides,
  };
}

describe('request message', () => {
  it('escapes user-typed text so it cannot ping or link', () => {
    const { blocks, text } = renderRequestMessage(status({ reason: '<!channel> & <https://evil|click>' }));
    const json = JSON.stringify(blocks);
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    expect(json).not.toContain('<!channel>');
    expect(text).not.toContain('<!channel>');
  });

  it('caps a huge reason and stays within Slack’s block limits', () => {
    const { blocks } = renderRequestMessage(status({ reason: '<'.repeat(10_000) }));
    expect(validateBlocks(blocks)).toBeUndefined();
    for (const b of blocks) if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });

  it('shows the state line with approvers as mentions, and buttons only while pending', () => {
    const pending = status({ approvers: ['U0BOB'], approvals: 1, summary: '1 of 2 approvals' });
    expect(stateLine(pending)).toBe(':hourglass_flowing_sand: *Waiting for approvals* · 1 of 2 approvals: <@U0BOB> · expires 10:30 UTC');
    expect(renderRequestMessage(pending).blocks.some((b) => b.type === 'actions')).toBe(true);
    const done = status({ state: 'succeeded', headline: 'Done', approvers: ['U0BOB', 'U0CAROL'], summary: '2 of 2 approvals', result: { ok: true, summary: 'Restored it.', facts: [], durationMs: 1500 } });
    expect(stateLine(done)).toBe(':white_check_mark: *Done* · 2 of 2 approvals: <@U0BOB> and <@U0CAROL>');
    expect(renderRequestMessage(done).blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('escape and cap never split an entity', () => {
    expect(escapeText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(capText('abcdef', 4)).toBe('abc…');
    expect(safeText('ab&cd', 4)).toBe('ab…');
  });
});
