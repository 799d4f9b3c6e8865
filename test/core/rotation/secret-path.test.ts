/**
 * `rotate secret` rotates exactly the path approvers saw: a percent-encoded dot segment
 * (`secret/app/%2e%2e/prod-db`, which Vault would read as `secret/prod-db`) or any other character
 * a plain KV path cannot have is refused before the request, and nothing is written.
 */
import { afterEach, expect, it } from 'vitest';
import { planSecretRotation } from '../../../src/core/rotation/rotate-secret.js';
import { VaultClient } from '../../../src/core/vault/client.js';
import { startVaultServer } from '../../support/vault/server.js';
import type { VaultTestServer } from '../../support/vault/types.js';

let server: VaultTestServer | undefined;
let client: VaultClient | undefined;
afterEach(async () => {
  client?.stop();
  await server?.stop();
});

it.each(['secret/app/%2e%2e/prod-db', 'secret/app/%2E%2E/prod-db', 'secret/app/smtp?x=1', 'secret/app/sm tp', 'secret/app\\..\\prod-db'])('refuses %s with one sentence and writes nothing', async (typed) => {
  server = await startVaultServer();
  server.putSecret('prod-db', { password: 'OLD-PROD' });
  server.putSecret('app/smtp', { password: 'OLD-APP' });
  client = new VaultClient({ addr: server.url, token: server.rootToken });
  const refused = await planSecretRotation(client, [], typed).catch((e: unknown) => e);
  expect((refused as { userMessage?: string }).userMessage).toMatch(/has a character a KV path cannot have here .*give the secret's plain path, e\.g\. `\/vault rotate secret secret\/app\/smtp`\.$/);
  expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
});

it('still plans a plain path', async () => {
  server = await startVaultServer();
  server.putSecret('app/smtp', { password: 'OLD-APP' });
  client = new VaultClient({ addr: server.url, token: server.rootToken });
  await expect(planSecretRotation(client, [], 'secret/app/smtp')).resolves.toBeDefined();
});
