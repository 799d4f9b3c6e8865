/**
 * Drills never touch production: a drill approved against one staging Vault does not run against
 * another configured since, and a "staging" address that is production under another name
 * (localhost for 127.0.0.1: same cluster id, same active node) is refused before any restore.
 */
import { expect, it } from 'vitest';
import { startVaultServer } from '../support/vault/server.js';
import { requestMessage, threadTexts } from './bot-harness.js';
import { backupNow, useStagingHarness } from './staging-harness.js';

const harness = useStagingHarness();

it('refuses a drill whose staging Vault changed after it was requested, and runs nothing', async () => {
  const { h, staging } = await harness.start();
  await backupNow(h);
  await h.slack.command({ userId: 'U0ALICE', text: 'drill restore-test' });
  const parent = requestMessage(h);
  const other = await startVaultServer({ snapshotSize: 32 * 1024 });
  try {
    h.config.vault.staging = { addr: other.url, token: other.rootToken };
    await h.restart();
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    expect(threadTexts(h, parent).join('\n')).toContain(`This drill was approved against staging ${staging.url}, but the staging Vault is now ${other.url}; nothing was run.`);
    expect(other.restores).toHaveLength(0);
    expect(staging.restores).toHaveLength(0);
    expect(h.vault.restores).toHaveLength(0);
  } finally {
    await other.stop();
  }
});

it('refuses a restore-test drill when "staging" answers as production, and production is not restored', async () => {
  const { h } = await harness.start();
  await backupNow(h);
  const alias = h.vault.url.replace('127.0.0.1', 'localhost');
  expect(alias).not.toBe(h.vault.url);
  h.config.vault.staging = { addr: alias, token: h.vault.rootToken };
  await h.restart();
  await h.slack.command({ userId: 'U0ALICE', text: 'drill restore-test' });
  const parent = requestMessage(h);
  await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
  const thread = threadTexts(h, parent).join('\n');
  expect(thread).toMatch(/The staging Vault http:\/\/localhost:\d+ answers as production \(cluster id [\w-]+, the same active node\); nothing was run against it\./);
  expect(h.vault.restores).toHaveLength(0);
});
