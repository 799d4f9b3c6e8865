/**
 * A restore's outcome is never guessed (issue 7 item 5): the upload has its own long answer timeout
 * (VAULT_RESTORE_TIMEOUT_SECONDS), and when Vault got the whole snapshot but answered too late the
 * outcome is "unknown" until established from the target itself (raft index, seal state, canary).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const fixtures: BackupFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

describe('a restore answered after the upload timeout', () => {
  it('is reported "outcome unknown", then established as applied from the raft index and confirmed by the canary', async () => {
    const f = await backupFixture({
      env: { VAULT_CANARY_PATH: 'secret/data/canary' }, canaryTimeoutMs: 3000,
      restoreTimeoutMs: 300, restoreOutcomeCheck: { timeoutMs: 5000, intervalMs: 50 },
    });
    fixtures.push(f);
    f.vault.putSecret('canary', { value: 'alive' });
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;
    // Vault installs the snapshot at once but answers only 1.5 s later: past the 300 ms answer timeout.
    f.vault.faults.restoreAnswerDelayMs = 1500;

    const outcome = await f.engine.restore(await f.engine.planRestore('latest', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(f.vault.restores).toHaveLength(1);
    expect(outcome.ok).toBe(true);
    expect(outcome.report.outcome).toMatchObject({ answered: false, established: 'applied', evidence: expect.stringMatching(/^the raft committed index moved from \d+ to \d+$/) });
    expect(outcome.report.canary).toBe('ok');
    const events = f.audit.tail(30).map((r) => r.event);
    expect(events).toContain('restore.outcome-unknown');
    expect(events.indexOf('restore.outcome-established')).toBeGreaterThan(events.indexOf('restore.outcome-unknown'));
    expect(events.at(-1)).toBe('restore.succeeded');
    const unknown = f.audit.tail(30).find((r) => r.event === 'restore.outcome-unknown');
    expect(String(unknown?.details.reason)).toMatch(/received the whole snapshot \(\d+ bytes\) but did not answer/);
  });

  it('when nothing shows what happened, it stays "outcome unknown" — never "failed" — and names the safety snapshot', async () => {
    const f = await backupFixture({ restoreTimeoutMs: 300, restoreOutcomeCheck: { timeoutMs: 400, intervalMs: 50 } });
    fixtures.push(f);
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;
    // The raft index cannot be read (sys/leader fails), the target stays unsealed: no evidence either way.
    f.vault.faults.failPaths = { 'sys/leader': { status: 500, message: 'internal error' } };
    f.vault.faults.restoreAnswerDelayMs = 1500;
    const outcome = await f.engine.restore(await f.engine.planRestore('latest', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome).toMatchObject({ ok: false, step: 'restore' });
    if (outcome.ok) return;
    expect(outcome.report.outcome).toMatchObject({ answered: false, established: 'unknown' });
    const safety = outcome.report.safetySnapshotKey ?? '';
    expect(outcome.error.userMessage).toMatch(/^The outcome of the restore is unknown: Vault at http:\/\/127\.0\.0\.1:\d+ received the whole snapshot but did not answer within 300 ms, and since then the raft index could not be read and it is unsealed\./);
    expect(outcome.error.userMessage).toContain(`the safety snapshot ${safety} holds what it had before`);
    expect(outcome.error.userMessage).not.toMatch(/failed/i);
    expect(f.audit.tail(10).map((r) => r.event)).toContain('restore.outcome-established');
    expect(f.audit.tail(1)[0]?.details).toMatchObject({ step: 'restore', outcome: 'unknown' });
  });

  it('an answer that comes within VAULT_RESTORE_TIMEOUT_SECONDS is simply a success, however long the install took', async () => {
    const f = await backupFixture({ restoreTimeoutMs: 3000, snapshotIdleTimeoutMs: 200 });
    fixtures.push(f);
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;
    // Longer than the snapshot idle timeout (200 ms here, 60 s by default) that the upload used to share.
    f.vault.faults.restoreAnswerDelayMs = 600;
    const outcome = await f.engine.restore(await f.engine.planRestore('latest', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome.ok).toBe(true);
    expect(outcome.report.outcome).toBeUndefined();
  });
});

describe('VAULT_RESTORE_TIMEOUT_SECONDS', () => {
  it('is read in seconds, and a bad value is one clear line', () => {
    const base = { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'hvs.x' };
    const good = loadConfig({ ...base, VAULT_RESTORE_TIMEOUT_SECONDS: '7200' }, ['vault']);
    expect(good.ok && good.config.vault.restoreTimeoutSeconds).toBe(7200);
    const bad = loadConfig({ ...base, VAULT_RESTORE_TIMEOUT_SECONDS: '1h' }, ['vault']);
    expect(bad.ok ? [] : bad.problems).toEqual([
      'VAULT_RESTORE_TIMEOUT_SECONDS is not a whole number between 1 and 604800 ("1h"); expected a positive integer, e.g. VAULT_RESTORE_TIMEOUT_SECONDS=3600',
    ]);
  });
});
