/**
 * `/vault restore` from Slack to Vault: the request freezes the plan people see (key, size,
 * creation time, sha256 prefix, target), two approvals run it once, and the Vault test server
 * receives exactly the decrypted snapshot bytes, after a safety snapshot of itself. Malformed or
 * unmatched input gets a private answer that says what was wrong.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeForm, slackTs } from '../support/slack/payloads.js';
import { OPS, ephemeralTexts, parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function backupNowThroughSlack(h: BotHarness): Promise<string> {
  await h.slack.command({ userId: 'U0CAROL', text: 'backup now' });
  const posted = await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup'), 10_000);
  expect(posted.ok).toBe(true);
  const entry = h.bot.backups.catalogue.newestVerified();
  if (!entry) throw new Error('no backup was catalogued');
  return entry.key;
}

async function storedKeys(h: BotHarness): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of h.bot.backups.store.list()) keys.push(o.key);
  return keys;
}

describe('restore through Slack', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('restores exactly the backed-up snapshot bytes after a safety snapshot, once two others approve', async () => {
    // The test server stamps each snapshot with the current time (tar mtime, meta.json ID), so the
    // wall clock stands still while the reference snapshot and the backup's own are taken.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    let snapshotAtBackup: string;
    let key: string;
    try {
      snapshotAtBackup = sha256(await h.vault.snapshotBytes());
      key = await backupNowThroughSlack(h);
    } finally {
      vi.useRealTimers();
    }
    expect(key).toMatch(/^manual\/2025-11-26\/vault-snapshot-20251126-02\d{4}\.enc$/);
    const entry = h.bot.backups.catalogue.get(key);

    await h.slack.command({ userId: 'U0ALICE', text: 'restore 2025-11-26' });
    const parent = requestMessage(h);
    const shown = parentText(h, parent);
    expect(shown).toContain('Restore requested by @U0ALICE');
    expect(shown).toContain(key);
    expect(shown).toContain(entry?.sha256.slice(0, 12));
    expect(shown).toContain('2025-11-26T02:');
    expect(shown).toMatch(/Size\n\d+(\.\d)? KiB/);
    expect(shown).toContain('Target\nproduction');

    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    expect(h.vault.restores).toHaveLength(0);
    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });

    expect(h.vault.restores).toHaveLength(1);
    expect(h.vault.restores[0]?.sha256).toBe(snapshotAtBackup);
    expect(h.vault.restores[0]?.force).toBe(false);
    // The safety snapshot was taken, stored, and its GET came before the restore POST.
    expect((await storedKeys(h)).some((k) => k.startsWith('pre-restore/2025-11-26/'))).toBe(true);
    const snapshotPath = '/v1/sys/storage/raft/snapshot';
    const gets = h.vault.requests.map((r, i) => ({ r, i })).filter(({ r }) => r.method === 'GET' && r.url.startsWith(snapshotPath));
    const post = h.vault.requests.findIndex((r) => r.method === 'POST' && r.url.startsWith(snapshotPath));
    expect(gets).toHaveLength(2); // the backup, then the safety snapshot
    expect(gets[1]?.i).toBeLessThan(post);

    const result = threadTexts(h, parent).find((t) => t.includes('Restored'));
    expect(result).toContain(`Restored ${key} into production.`);
    // One duration per result: the measured recovery time, not a second "ran …" or "in …" beside it.
    expect(result).toMatch(/Recovery time\n[\d.]+ (ms|s|min)/);
    expect(result).not.toMatch(/_\(ran |into production in /);
    expect(result).toMatch(/Safety snapshot\npre-restore\/2025-11-26\//);
    expect(result).toContain('Canary\nnot checked');
    expect(parentText(h, parent)).toContain('Done · 2 of 2 approvals: @U0BOB and @U0CAROL');
  });

  it('fails safe when the stored object changed after the request was made', async () => {
    const key = await backupNowThroughSlack(h);
    await h.slack.command({ userId: 'U0ALICE', text: `restore ${key}` });
    const parent = requestMessage(h);
    // Someone replaces the object under the same name (same size, other bytes).
    const { readFileSync, writeFileSync } = await import('node:fs');
    const path = `${h.config.backup.store}/${key}`;
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);

    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
    expect(h.vault.restores).toHaveLength(0);
    expect(threadTexts(h, parent).at(-1)).toMatch(/do not match its recorded size and sha256/);
    expect(parentText(h, parent)).toContain('Failed');
  });

  it('answers a date that is not a date with what was wrong and the right form', async () => {
    await h.slack.command({ userId: 'U0ALICE', text: 'restore 2025-13-45' });
    const answer = ephemeralTexts(h, 'U0ALICE').at(-1);
    expect(answer).toContain('"2025-13-45" is not a date');
    expect(answer).toContain('<YYYY-MM-DD | latest | object key>');
    expect(h.fake.messages(OPS)).toHaveLength(0);
  });

  it('answers a day without a backup with the nearest dates that have one', async () => {
    await backupNowThroughSlack(h);
    await h.slack.command({ userId: 'U0ALICE', text: 'restore 2025-11-29' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('No backup from 2025-11-29. Nearest dates with a backup: 2025-11-26.');
    expect(h.bot.approvals.list()).toHaveLength(0);
  });

  it('answers a wrong target with the form', async () => {
    await h.slack.command({ userId: 'U0ALICE', text: 'restore latest prod-eu' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('"prod-eu" is not a restore target');
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('/vault restore <YYYY-MM-DD|latest|key> [prod|staging]');
  });

  it('without an argument shows a picker whose choice creates the request', async () => {
    const key = await backupNowThroughSlack(h);
    await h.slack.command({ userId: 'U0ALICE', text: 'restore' });
    const picker = h.fake.ephemerals('U0ALICE').at(-1);
    const section = picker?.blocks?.find((b) => (b.accessory as { type?: string } | undefined)?.type === 'static_select');
    const select = section?.accessory as { action_id: string; options: Array<{ value: string; text: { text: string } }> };
    expect(select.options.map((o) => o.value)).toEqual([key]);

    // Slack's block_actions for a static_select on an ephemeral message (no `message` field).
    const option = select.options[0];
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: h.fake.teamId },
      api_app_id: h.fake.appId,
      token: 'fake-verification-token',
      container: { type: 'message', message_ts: picker?.ts, channel_id: OPS, is_ephemeral: true },
      trigger_id: h.fake.mintTriggerId(),
      team: { id: h.fake.teamId, domain: h.fake.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: OPS, name: 'vault-ops' },
      state: { values: {} },
      response_url: h.fake.responseUrl({ channel: OPS, user: 'U0ALICE', ephemeralTs: picker?.ts ?? '' }),
      actions: [{ type: 'static_select', action_id: select.action_id, block_id: section?.block_id, selected_option: option, action_ts: slackTs(Date.now()) }],
    };
    const res = await h.slack.send(encodeForm({ payload: JSON.stringify(payload) }));
    expect(res.status).toBe(200);

    expect(parentText(h)).toContain(key);
    expect(h.bot.approvals.list()[0]?.action).toBe('restore');
    // The picker was replaced by the answer.
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('Your restore request');
  });
});
