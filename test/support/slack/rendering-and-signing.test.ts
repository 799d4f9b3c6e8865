/**
 * @module rendering-and-signing.test Pure helpers: the signature Bolt's own verifier accepts,
 * Block Kit limits, and the visible text of a message.
 */
import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { buildSlashCommand, encodeForm, findButton } from './payloads.js';
import { computeSignature, renderText, signatureHeaders, validateBlocks } from './index.js';

describe('signing', () => {
  it('produces the signature Bolt verifies, over the exact body bytes', () => {
    const body = encodeForm({ command: '/vault', text: 'restore 2025-11-26 & more' });
    const now = 1_764_122_400_000;
    const headers = signatureHeaders('s3cret', now / 1000, body);
    expect(body).toBe('command=%2Fvault&text=restore+2025-11-26+%26+more');
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() => verifySlackRequest({ signingSecret: 's3cret', body, headers: { 'x-slack-signature': headers['x-slack-signature'] ?? '', 'x-slack-request-timestamp': now / 1000 }, nowMilliseconds: now })).not.toThrow();
    // Slack's documented example (docs.slack.dev, verifying requests).
    expect(computeSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c')).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('builds slash commands with is_enterprise_install as the string "false"', () => {
    const fields = buildSlashCommand({ teamId: 'T1', teamDomain: 'd', appId: 'A1', userId: 'U1', userName: 'u', channelId: 'C1', channelName: 'c', verificationToken: 't', command: '/vault', text: '', responseUrl: 'http://r', triggerId: '1.2.3' });
    expect(fields.is_enterprise_install).toBe('false');
    expect(Object.keys(fields)).toContain('trigger_id');
  });
});

describe('Block Kit limits', () => {
  it('accepts a normal approval message and names the broken rule otherwise', () => {
    const ok = [
      { type: 'header', text: { type: 'plain_text', text: 'Restore' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3000) }, accessory: { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Go' } } },
    ];
    expect(validateBlocks(ok)).toBeUndefined();
    expect(validateBlocks([{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }])?.errors).toEqual(['must be a plain_text text object [json-pointer:/blocks/0/text/type]']);
    expect(validateBlocks([{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }])?.errors).toEqual(['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    expect(validateBlocks([{ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' }])?.error).toBe('invalid_blocks');
    const big = Array.from({ length: 5 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(2500) } }));
    expect(validateBlocks(big)?.error).toBe('msg_blocks_too_long');
  });

  it('finds a button and the block that holds it', () => {
    const blocks = [{ type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: 'x' }, accessory: { type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open' } } }];
    expect(findButton(blocks, 'open')?.blockId).toBe('s1');
    expect(findButton(blocks, 'close')).toBeUndefined();
  });
});

describe('renderText', () => {
  it('shows what a person reads: blocks over fallback text, mentions, links, entities and button labels', () => {
    const message = {
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Restore 2025-11-26' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Requested by <@U0ALICE> in <#C0OPS|vault-ops>: <https://x.test/r/1|details> &lt;prod&gt; &amp; staging' }, fields: [{ type: 'mrkdwn', text: '*Approvals* 1 of 2' }] },
        { type: 'divider' },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'cc <!subteam^S0ONCALL|@oncall>' }, { type: 'image', image_url: 'x', alt_text: 'y' }] },
        { type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' } }, { type: 'button', action_id: 'deny', text: { type: 'plain_text', text: 'Deny' } }] },
      ],
    };
    expect(renderText(message)).toBe(
      ['Restore 2025-11-26', 'Requested by @U0ALICE in #vault-ops: details <prod> & staging', '*Approvals* 1 of 2', 'cc @oncall', '[Approve] [Deny]'].join('\n'),
    );
    expect(renderText({ text: 'plain &lt;b&gt;' })).toBe('plain <b>');
    expect(renderText('<!here> backup failed')).toBe('@here backup failed');
  });
});
