/**
 * `/vault drill` and `/vault drills` from Slack against a staging Vault test server: each drill is
 * approved once, runs against staging only, reports its steps with their durations and the target
 * met or missed in the thread, is kept in the history `/vault drills` lists, and is refused clearly
 * when there is no staging Vault. A corrupted backup makes backup-integrity fail naming the object.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OPS, ephemeralTexts, parentText, requestMessage, threadTexts } from './bot-harness.js';
import { backupNow, useStagingHarness, type WithStaging } from './staging-harness.js';

describe('drills through Slack', () => {
  const harness = useStagingHarness();
  const start = (): Promise<WithStaging> => harness.start({ env: { RTO_RESTORE_MINUTES: '90' } });

  it('runs the restore-test drill into staging after one approval, timed against RTO_RESTORE_MINUTES, and lists it', async () => {
    const { h, staging } = await start();
    const key = await backupNow(h);
    await h.slack.command({ userId: 'U0ALICE', text: 'drill restore-test' });
    const parent = requestMessage(h);
    expect(parentText(h, parent)).toContain('Drill requested by @U0ALICE');
    expect(parentText(h, parent)).toMatch(/Against\nstaging \(http:\/\/127\.0\.0\.1:\d+\) only/);
    expect(staging.restores).toHaveLength(0);

    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });

    expect(staging.restores).toHaveLength(1);
    expect(staging.restores[0]?.force).toBe(true);
    expect(h.vault.restores).toHaveLength(0);
    const result = threadTexts(h, parent).find((t) => t.includes('Drill restore-test')) ?? '';
    expect(result).toMatch(/Drill restore-test passed in [\d.]+ (ms|s) \(target 90 min 00 s: met\)/);
    expect(result).toMatch(/✓ resolve the latest backup — \d+ ms/);
    expect(result).toMatch(/✓ restore into staging \(download, decrypt, safety snapshot, restore, canary\) — [\d.]+ (ms|s)/);

    await h.slack.command({ userId: 'U0CAROL', text: 'drills' });
    const list = ephemeralTexts(h, 'U0CAROL').at(-1) ?? '';
    expect(list).toMatch(/`#1` restore-test passed · 2025-11-26 \d\d:\d\d UTC · @U0ALICE · [\d.]+ (ms|s) \(target 90 min 00 s: met\)/);
    const row = h.db.prepare('SELECT scenario, status, met, target_ms, request_id FROM drills').get() as Record<string, unknown>;
    expect(row).toMatchObject({ scenario: 'restore-test', status: 'passed', met: 1, target_ms: 90 * 60_000 });
    const events = h.bot.deps.audit.tail(60).map((r) => `${r.event} ${r.target ?? ''}`);
    expect(events).toEqual(expect.arrayContaining(['drill.started restore-test', `drill.started ${key}`, 'drill.passed restore-test']));
  });

  it('fails backup-integrity naming the corrupted backup, and passes the intact one', async () => {
    const { h } = await start();
    const good = await backupNow(h);
    h.clock.advance(60_000);
    const bad = await backupNow(h);
    const file = join(h.config.backup.store, bad);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x55;
    writeFileSync(file, bytes);

    await h.slack.command({ userId: 'U0ALICE', text: 'drill backup-integrity' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });

    const result = threadTexts(h, parent).at(-1) ?? '';
    expect(result).toContain('Drill backup-integrity failed (1 failure)');
    expect(result).toContain(`• ${bad}:`);
    expect(result).not.toContain(`• ${good}`);
    expect(result).toMatch(new RegExp(`✓ ${good.replace(/[.]/g, '\\.')} — \\d+`));
    expect(result).toMatch(new RegExp(`✗ ${bad.replace(/[.]/g, '\\.')} — \\d+`));
    expect(parentText(h, parent)).toContain('Failed');
    await h.slack.command({ userId: 'U0ALICE', text: 'drills' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toMatch(/`#1` backup-integrity failed .* 1 failure/);
  });

  it('seal drill: seals staging only, times the health round that raises the alert, and leaves unsealing to key holders', async () => {
    const { h, staging } = await start();
    await h.slack.command({ userId: 'U0ALICE', text: 'drill seal' });
    const parent = requestMessage(h);
    expect(parentText(h, parent)).toContain('Target\n5 min 00 s');
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });

    expect(staging.state.sealed).toBe(true);
    expect(h.vault.state.sealed).toBe(false);
    const result = threadTexts(h, parent).find((t) => t.includes('Drill seal')) ?? '';
    expect(result).toMatch(/Drill seal passed in [\d.]+ (ms|s) \(target 5 min 00 s: met\)/);
    expect(result).toMatch(/✓ seal staging — \d+ ms/);
    expect(result).toMatch(/✓ health round raises the vault_sealed alert — [\d.]+ (ms|s)/);
    expect(result).toContain('✓ unseal status (key holders unseal staging with their own CLI)');
    const row = h.db.prepare(`SELECT steps_json FROM drills WHERE scenario = 'seal'`).get() as { steps_json: string };
    expect(JSON.parse(row.steps_json).at(-1).detail).toBe('sealed, 0 of 3 key shares given');

    // A second seal drill on a sealed staging fails, saying where.
    await h.slack.command({ userId: 'U0ALICE', text: 'drill seal' });
    const again = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: again, actionId: 'approval_approve' });
    expect(threadTexts(h, again).at(-1)).toContain('check that staging serves: staging (');
    expect(threadTexts(h, again).at(-1)).toContain('is already sealed; unseal it first');
  });

  it('rotation drill: rotates the drill canary on staging end to end with the rotation core', async () => {
    const { h, staging } = await start();
    await h.slack.command({ userId: 'U0ALICE', text: 'drill rotation' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });

    const result = threadTexts(h, parent).find((t) => t.includes('Drill rotation')) ?? '';
    expect(result).toMatch(/Drill rotation passed in [\d.]+ (ms|s) \(target 5 min 00 s: met\)/);
    expect(result).toMatch(/✓ rotate: write with check-and-set, read back and compare — \d+ ms/);
    const res = await fetch(`${staging.url}/v1/secret/data/vault-chatops/drill-rotation-canary`, { headers: { 'X-Vault-Token': staging.rootToken ?? '' } });
    const body = (await res.json()) as { data: { data: { password: string }; metadata: { version: number } } };
    expect(body.data.metadata.version).toBe(2);
    expect(JSON.stringify(h.fake.calls)).not.toContain(body.data.data.password);
    expect(h.logs.join('\n')).not.toContain(body.data.data.password);
    expect(h.vault.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/secret/'))).toHaveLength(0);
  });

  it('refuses every drill without a staging Vault, before any request is made', async () => {
    const h = await harness.startWithout();
    for (const scenario of ['restore-test', 'backup-integrity', 'seal', 'rotation']) {
      await h.slack.command({ userId: 'U0ALICE', text: `drill ${scenario}` });
      expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('Drills run against a staging Vault only, and none is configured; set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN');
    }
    await h.slack.command({ userId: 'U0ALICE', text: 'drill chaos-monkey' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('"chaos-monkey" is not a drill scenario');
    expect(h.bot.approvals.list()).toHaveLength(0);
    expect(h.fake.messages(OPS).filter((m) => m.text.includes('requested by'))).toHaveLength(0);
    await h.slack.command({ userId: 'U0ALICE', text: 'drills' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain('No drills have run yet');
  });
});
