/**
 * `/vault rotate secret <kv-path>` from Slack to Vault: the request shows fields and kinds (never
 * values), two approvals write a new version with check-and-set, the rotated fields change and the
 * others do not, the keys parse, and no old or new value reaches Slack, the log or the audit log.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPagerDutyStandIn } from '../support/pagerduty-server.js';
import { startVaultServer } from '../support/vault/server.js';
import { ephemeralTexts, parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';
import { leakedValues } from './rotation-helpers.js';

const OLD = {
  username: 'mailer',
  smtp_password: 'old-smtp-password-4f1c9a',
  api_token: 'old-api-token-77aa01bb',
  ssh_private_key: '-----BEGIN OPENSSH PRIVATE KEY-----\nold-ssh-private-material-0123456789abcdefghijklmnopq\n-----END OPENSSH PRIVATE KEY-----\n',
  ssh_public_key: 'ssh-ed25519 AAAAoldpublickeymaterial0123 old@host',
  dkim_private_key: '-----BEGIN RSA PRIVATE KEY-----\nold-dkim-private-material-0123456789abcdefghijklmnop\n-----END RSA PRIVATE KEY-----\n',
};

async function secretVersions(h: BotHarness, path: string): Promise<{ current: number; data: Record<string, string> }> {
  const res = await fetch(`${h.vault.url}/v1/secret/data/${path}`, { headers: { 'X-Vault-Token': h.vault.rootToken } });
  const body = (await res.json()) as { data: { data: Record<string, string>; metadata: { version: number } } };
  return { current: body.data.metadata.version, data: body.data.data };
}

async function approveTwice(h: BotHarness): Promise<void> {
  const parent = requestMessage(h);
  await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
  await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
}

describe('rotate secret through Slack', () => {
  let h: BotHarness | undefined;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const c of cleanups.splice(0)) c();
  });

  it('rotates the conventional fields with check-and-set, keeps the others, and never shows a value', async () => {
    h = await startBotHarness();
    h.vault.putSecret('mail/smtp', OLD);
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate secret secret/mail/smtp' });
    const parent = requestMessage(h);
    const shown = parentText(h, parent);
    expect(shown).toContain('secret/mail/smtp');
    expect(shown).toMatch(/Version seen\s+1/);
    for (const planned of ['smtp_password (password)', 'api_token (api-key)', 'ssh_private_key + ssh_public_key (ssh)', 'dkim_private_key + dkim_dns_txt (dkim)']) {
      expect(shown).toContain(planned);
    }
    expect(shown).not.toContain('username (');

    await approveTwice(h);
    const after = await secretVersions(h, 'mail/smtp');
    expect(after.current).toBe(2);
    expect(after.data.username).toBe(OLD.username);
    for (const field of ['smtp_password', 'api_token', 'ssh_private_key', 'ssh_public_key', 'dkim_private_key'] as const) {
      expect(after.data[field]).not.toBe(OLD[field]);
    }
    expect(after.data.smtp_password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(after.data.api_token).toMatch(/^[0-9a-f]{64}$/);
    const writes = h.vault.requests.filter((r) => r.method === 'POST' && r.url === '/v1/secret/data/mail/smtp');
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0]?.bodyText ?? '{}').options).toEqual({ cas: 1 });

    const thread = threadTexts(h, parent).join('\n');
    expect(thread).toContain('version 1 → 2, read back and checked');
    expect(thread).toContain('vault kv rollback -mount=secret -version=1 mail/smtp');
    expect(thread).toContain('GET /v1/secret/data/mail/smtp?version=1');
    expect(parentText(h, parent)).toContain('Done · 2 of 2 approvals');

    // The SSH pair: OpenSSH private key whose public half is the stored public line.
    const sshPublic = Buffer.from(after.data.ssh_public_key?.split(' ')[1] ?? '', 'base64');
    const rawPublic = sshPublic.subarray(sshPublic.length - 32);
    const seed = openSshSeed(after.data.ssh_private_key ?? '');
    const priv = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: rawPublic.toString('base64url') }, format: 'jwk' });
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rawPublic.toString('base64url') }, format: 'jwk' });
    expect(verify(null, Buffer.from('probe'), pub, sign(null, Buffer.from('probe'), priv))).toBe(true);
    if (existsSync('/usr/bin/ssh-keygen')) {
      const dir = mkdtempSync(join(tmpdir(), 'vc-ssh-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, 'id'), after.data.ssh_private_key ?? '', { mode: 0o600 });
      const derived = execFileSync('ssh-keygen', ['-y', '-f', join(dir, 'id')], { encoding: 'utf8' }).trim();
      expect(derived.split(' ').slice(0, 2)).toEqual(after.data.ssh_public_key?.split(' ').slice(0, 2));
    }

    // The DKIM pair: an RSA-2048 PEM whose public key is the one in the DNS TXT value.
    const dkim = createPrivateKey(after.data.dkim_private_key ?? '');
    expect(dkim.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const txt = after.data.dkim_dns_txt ?? '';
    expect(txt).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    const spki = createPublicKey(dkim).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(txt.endsWith(`p=${spki}`)).toBe(true);

    const values = [...Object.values(OLD).filter((v) => v !== OLD.username), ...Object.entries(after.data).filter(([k]) => k !== 'username').map(([, v]) => v)];
    expect(leakedValues(h, values)).toEqual([]);
    const events = h.bot.deps.audit.tail(100).map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['rotation.secret.writing', 'rotation.secret.written', 'approval.succeeded']));
  });

  it('writes nothing when the secret changed between request and approval, and says why', async () => {
    h = await startBotHarness();
    h.vault.putSecret('app/api', { api_key: 'first-key-value-1234' });
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate secret secret/app/api' });
    const parent = requestMessage(h);
    h.vault.putSecret('app/api', { api_key: 'someone-else-changed-it-5678' });

    await approveTwice(h);
    const after = await secretVersions(h, 'app/api');
    expect(after.current).toBe(2);
    expect(after.data.api_key).toBe('someone-else-changed-it-5678');
    const last = threadTexts(h, parent).at(-1) ?? '';
    expect(last).toContain('Nothing was written: secret/app/api changed since the request');
    expect(last).toContain('version 1 when requested (now version 2)');
    expect(parentText(h, parent)).toContain('Failed');
    expect(h.bot.deps.audit.tail(50).map((r) => r.event)).toContain('rotation.secret.conflict');
    expect(leakedValues(h, ['first-key-value-1234', 'someone-else-changed-it-5678'])).toEqual([]);
  });

  it('records a completed rotation as a PagerDuty change event, naming fields but no value', async () => {
    const pd = await startPagerDutyStandIn();
    cleanups.push(() => void pd.stop());
    h = await startBotHarness({ env: { PAGERDUTY_ROUTING_KEY: 'R0123456789ABCDEF0123456789ABCDEF', PAGERDUTY_EVENTS_URL: pd.eventsUrl } });
    h.vault.putSecret('app/db', { password: 'old-db-password-31337' });
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate secret secret/app/db' });
    await approveTwice(h);
    const change = await eventuallyChange(pd.received);
    expect(change.payload).toMatchObject({ summary: expect.stringContaining('Rotated password (password) in secret/app/db: version 1 → 2') });
    const after = await secretVersions(h, 'app/db');
    expect(JSON.stringify(pd.received)).not.toContain(after.data.password);
    expect(JSON.stringify(pd.received)).not.toContain('old-db-password-31337');
  });

  it('answers a bad path with one private sentence at request time, and posts no request', async () => {
    const vault = await startVaultServer({ kvV1Mounts: ['kv/'] });
    const limited = vault.createToken({ policies: { 'secret/data/open/*': ['read', 'create', 'update'], 'secret/metadata/open/*': ['read'], 'kv/*': ['read'] } });
    h = await startBotHarness({ vaultServer: vault, env: { VAULT_TOKEN: limited } });
    cleanups.push(() => void vault.stop());
    vault.putSecret('closed/db', { password: 'closed-password-000' });
    vault.putSecret('open/plain', { colour: 'blue' });

    const cases: [string, RegExp][] = [
      ['secret/app/', /ends in "\/", which names a folder/],
      ['kv/legacy', /on a KV version 1 mount \(kv\/\)/],
      ['secret/open/missing', /There is no secret at secret\/open\/missing/],
      ['secret/closed/db', /No secrets engine the bot may use serves secret\/closed\/db|may not read secret\/closed\/db/],
      ['secret/open/plain', /Nothing to rotate in secret\/open\/plain/],
    ];
    for (const [path, expected] of cases) {
      await h.slack.command({ userId: 'U0CAROL', text: `rotate secret ${path}` });
      const said = ephemeralTexts(h, 'U0CAROL').at(-1) ?? '';
      expect(said).toMatch(expected);
      expect(said).not.toMatch(/\n\s+at /);
    }
    expect(h.fake.messages('C0VAULTOPS').filter((m) => /requested/.test(m.text))).toHaveLength(0);
    expect(leakedValues(h, ['closed-password-000'])).toEqual([]);
  });
});

/** The 32-byte seed from an unencrypted `openssh-key-v1` ed25519 private key (PROTOCOL.key). */
function openSshSeed(pem: string): Buffer {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  let at = 'openssh-key-v1\0'.length;
  const str = (): Buffer => {
    const n = buf.readUInt32BE(at);
    const out = buf.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return out;
  };
  expect(str().toString()).toBe('none');
  expect(str().toString()).toBe('none');
  str();
  expect(buf.readUInt32BE(at)).toBe(1);
  at += 4;
  str();
  const priv = str();
  let p = 8;
  const inner = (): Buffer => {
    const n = priv.readUInt32BE(p);
    const out = priv.subarray(p + 4, p + 4 + n);
    p += 4 + n;
    return out;
  };
  expect(inner().toString()).toBe('ssh-ed25519');
  inner();
  return inner().subarray(0, 32);
}

async function eventuallyChange(received: { path: string; body: Record<string, unknown> }[]): Promise<{ payload: Record<string, unknown> }> {
  for (let i = 0; i < 200; i += 1) {
    const found = received.find((r) => r.path === '/v2/change/enqueue');
    if (found) return found.body as { payload: Record<string, unknown> };
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`no change event; received: ${received.map((r) => r.path).join(', ')}`);
}
