/**
 * The Vault policies in deploy/vault/ grant exactly what the bot's Vault client uses.
 *
 * How it works: every public method of `VaultClient` is run against the Vault test server (both
 * flavors), which records each request. For every request made with a token, the capability Vault
 * would check is derived (GET → read, LIST → list, DELETE → delete, POST/PUT → update, plus create
 * on KV v2 data paths and sudo on root-protected paths) and looked up in the policy file with
 * Vault's matching rules (`*` as the last character matches any suffix, `+` matches one path
 * segment; of several matching rules only the most specific one counts, its capabilities are not
 * merged with the others). Then the other way round: every rule and capability in the file must be
 * needed by some recorded call, so the policy never grows beyond what the bot does. Finally the
 * policy is loaded into the test server as a real token, and the calls are made again with it.
 *
 * HOW TO EXTEND (a new Vault call):
 * - A new `VaultClient` method: add it to EXERCISES below — which credentials use it (`prod`:
 *   VAULT_TOKEN / AppRole → vault-chatops.hcl; `staging`: VAULT_STAGING_TOKEN →
 *   vault-chatops-staging.hcl) and a `run` calling it the way the feature does. A method that
 *   makes no call of its own goes in NO_CALL. Until then the first test fails, naming the method.
 * - A new path inside an existing method: nothing to add; the recorded call shows up.
 * - Then run `npx vitest run test/deploy/vault-policy.test.ts`: it names each path and capability
 *   missing from the policy; add them to deploy/vault/*.hcl.
 * - A root-protected path (sudo) goes in SUDO_PATHS; an unauthenticated one in NO_POLICY_NEEDED.
 * - State one exercise leaves for the next (e.g. a rekey's nonce) in a WeakMap keyed by the client.
 */
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultClient } from '../../src/core/vault/index.js';
import { startVaultServer } from '../support/vault/server.js';
import type { RecordedRequest, VaultFlavor, VaultTestServer } from '../support/vault/types.js';

type Credentials = 'prod' | 'staging';

interface Exercise {
  uses: Credentials[];
  /** Calls the method as the feature does; `v` is the server (for fixtures). */
  run: (c: VaultClient, v: VaultTestServer) => Promise<unknown>;
  /** Runs after every other exercise (it changes the server's state, e.g. seals it). */
  last?: boolean;
}

const drain = async (stream: Readable): Promise<number> => {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
};

/** The rekey each client started, for the exercises that continue it. */
const rekeys = new WeakMap<VaultClient, Awaited<ReturnType<VaultClient['startRekey']>>>();
const startedRekey = (c: VaultClient): Awaited<ReturnType<VaultClient['startRekey']>> => {
  const started = rekeys.get(c);
  if (!started) throw new Error('startRekey must run before this exercise');
  return started;
};

const EXERCISES: Record<string, Exercise> = {
  login: { uses: ['prod', 'staging'], run: (c) => c.login() },
  health: { uses: ['prod', 'staging'], run: (c) => c.health() },
  sealStatus: { uses: ['prod', 'staging'], run: (c) => c.sealStatus() },
  leader: { uses: ['prod'], run: (c) => c.leader() },
  autopilotState: { uses: ['prod'], run: (c) => c.autopilotState() },
  metrics: { uses: ['prod'], run: (c) => c.metrics() },
  rekeyStatus: { uses: ['prod'], run: (c) => c.rekeyStatus().catch(() => undefined) },
  // A rekey as /vault rekey runs it: start, read progress, find the API again after a restart, cancel.
  startRekey: { uses: ['prod'], run: async (c) => rekeys.set(c, await c.startRekey({ shares: 5, threshold: 3 })) },
  readRekey: { uses: ['prod'], run: (c) => c.readRekey(startedRekey(c).api) },
  detectRekeyApi: { uses: ['prod'], run: (c) => c.detectRekeyApi() },
  cancelRekey: { uses: ['prod'], run: (c) => c.cancelRekey(startedRekey(c).api, startedRekey(c).status.nonce) },
  readSecret: { uses: ['prod'], run: (c) => c.readSecret('secret/data/canary') },
  writeSecret: { uses: ['prod'], run: (c) => c.writeSecret('secret/data/canary', { value: 'rotated' }) },
  kvMetadata: { uses: ['prod'], run: (c) => c.kvMetadata('secret', 'app/db') },
  kvReadVersion: { uses: ['prod'], run: (c) => c.kvReadVersion('secret', 'app/db', 1) },
  kvListRecursive: { uses: ['prod'], run: (c) => c.kvListRecursive('secret', '') },
  kvWrite: { uses: ['prod'], run: (c) => c.kvWrite('secret', 'app/db', { password: 'new' }, 1) },
  mountInfo: { uses: ['prod'], run: (c) => c.mountInfo('secret/app/db') },
  snapshot: { uses: ['prod', 'staging'], run: async (c) => drain(await c.snapshot()) },
  restoreSnapshot: {
    uses: ['prod', 'staging'],
    run: async (c, v) => {
      const bytes = await v.snapshotBytes();
      // Production restores its own snapshots, and another cluster's with force.
      await c.restoreSnapshot(() => Readable.from([bytes]), { force: false });
      await c.restoreSnapshot(() => Readable.from([bytes]), { force: true });
    },
  },
  seal: { uses: ['prod'], run: (c) => c.seal(), last: true },
};

/** What staging does differently: its restores always use force (DESIGN §4). */
const STAGING_RUN: Partial<Record<string, Exercise['run']>> = {
  restoreSnapshot: async (c, v) => {
    const bytes = await v.snapshotBytes();
    await c.restoreSnapshot(() => Readable.from([bytes]), { force: true });
  },
};

/** Public members that make no Vault call of their own. */
const NO_CALL = new Set(['address', 'tokenInfo', 'startRenewal', 'stop', 'forNode']);
/** Implementation details on the prototype (TypeScript `private`). */
const PRIVATE = new Set(['constructor', 'doLogin', 'setInfo', 'authed', 'tokenStillValid', 'secrets', 'rekeyCalls']);
/** Calls made on a timer, not by a method: required all the same. */
const TIMER_CALLS: { path: string; capability: string; why: string }[] = [
  { path: 'auth/token/renew-self', capability: 'update', why: 'token renewal before expiry (renewal.ts)' },
];
/** Paths Vault serves without a policy (unauthenticated, or answered for any token). */
const NO_POLICY_NEEDED = [/^sys\/health$/, /^sys\/seal-status$/, /^sys\/leader$/, /^sys\/internal\/ui\/mounts(\/.*)?$/, /^auth\/[^/]+\/login$/];
/** Root-protected paths: the policy must add sudo (reference vault-api.md §3.3). */
const SUDO_PATHS = [/^sys\/seal$/];
/** KV v2 data paths: a write creates or updates, so both capabilities are needed. */
const KV_DATA = /^[^/]+\/data\/.+/;

const POLICY_DIR = fileURLToPath(new URL('../../deploy/vault/', import.meta.url));
const POLICY_FILES: Record<Credentials, string> = { prod: 'vault-chatops.hcl', staging: 'vault-chatops-staging.hcl' };

export interface PolicyRule {
  path: string;
  capabilities: string[];
}

/** `path "…" { capabilities = [ … ] }` blocks; `#` and `//` comments. Anything else is an error. */
export function parsePolicy(text: string): PolicyRule[] {
  const clean = text.replace(/(#|\/\/)[^\n]*/g, '');
  const rules: PolicyRule[] = [];
  const block = /path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g;
  for (const m of clean.matchAll(block)) {
    rules.push({ path: m[1] as string, capabilities: [...(m[2] as string).matchAll(/"([^"]+)"/g)].map((c) => c[1] as string) });
  }
  const leftover = clean.replace(block, '').trim();
  if (leftover !== '') throw new Error(`policy has text the checker does not understand: ${leftover.slice(0, 80)}`);
  return rules;
}

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const re = new RegExp(`^${body.split('+').map((s) => s.replace(/[.*?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}${glob ? '.*' : ''}$`);
  return re.test(path);
}

/** Vault's priority among matching rules (vault/policy.go): the most specific one wins. Negative: a before b. */
function morePrecise(a: string, b: string): number {
  const firstWildcard = (p: string): number => {
    const i = p.search(/[+*]/);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  if (firstWildcard(a) !== firstWildcard(b)) return firstWildcard(b) - firstWildcard(a);
  const endsGlob = (p: string): number => (p.endsWith('*') ? 1 : 0);
  if (endsGlob(a) !== endsGlob(b)) return endsGlob(a) - endsGlob(b);
  const plusCount = (p: string): number => p.split('+').length - 1;
  if (plusCount(a) !== plusCount(b)) return plusCount(a) - plusCount(b);
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? 1 : -1;
}

export function ruleFor(rules: PolicyRule[], path: string): PolicyRule | undefined {
  return rules.filter((r) => matches(r.path, path)).sort((a, b) => morePrecise(a.path, b.path))[0];
}

interface Need {
  path: string;
  capability: string;
  call: string;
}

/** The capabilities Vault checks for one recorded request, or none for an anonymous/unprotected call. */
function needsOf(r: RecordedRequest): Need[] {
  const token = r.headers['x-vault-token'];
  if (typeof token !== 'string' || token === '') return [];
  const url = new URL(r.url, 'http://vault.invalid');
  const path = decodeURIComponent(url.pathname.replace(/^\/v1\//, ''));
  if (NO_POLICY_NEEDED.some((re) => re.test(path))) return [];
  const call = `${r.method} ${path}`;
  const caps: string[] = [];
  if (r.method === 'LIST' || url.searchParams.get('list') === 'true') caps.push('list');
  else if (r.method === 'GET' || r.method === 'HEAD') caps.push('read');
  else if (r.method === 'DELETE') caps.push('delete');
  else if (r.method === 'PATCH') caps.push('patch');
  else caps.push(...(KV_DATA.test(path) ? ['create', 'update'] : ['update']));
  if (SUDO_PATHS.some((re) => re.test(path))) caps.push('sudo');
  return caps.map((capability) => ({ path, capability, call }));
}

function prototypeMembers(): string[] {
  return Object.getOwnPropertyNames(VaultClient.prototype).filter((n) => !PRIVATE.has(n));
}

async function exerciseAll(v: VaultTestServer, creds: Credentials, token: string): Promise<RecordedRequest[]> {
  const client = new VaultClient({ addr: v.url, token, requestTimeoutMs: 5000, snapshotIdleTimeoutMs: 5000 });
  const from = v.requests.length;
  const entries = Object.entries(EXERCISES)
    .filter(([, e]) => e.uses.includes(creds))
    .sort(([, a], [, b]) => Number(a.last ?? false) - Number(b.last ?? false));
  try {
    for (const [name, e] of entries) {
      const run = creds === 'staging' ? (STAGING_RUN[name] ?? e.run) : e.run;
      try {
        await run(client, v);
      } catch (error) {
        throw new Error(`exercise ${name} (${creds}) failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
  } finally {
    client.stop();
  }
  return v.requests.slice(from);
}

describe('Vault policies (deploy/vault)', () => {
  const flavors: VaultFlavor[] = ['vault', 'openbao'];
  const servers: Partial<Record<VaultFlavor, VaultTestServer>> = {};
  const recorded: Record<Credentials, RecordedRequest[]> = { prod: [], staging: [] };
  const policies = Object.fromEntries(
    (Object.keys(POLICY_FILES) as Credentials[]).map((c) => [c, parsePolicy(readFileSync(`${POLICY_DIR}${POLICY_FILES[c]}`, 'utf8'))]),
  ) as Record<Credentials, PolicyRule[]>;

  const fresh = async (flavor: VaultFlavor): Promise<VaultTestServer> => {
    const v = await startVaultServer({ flavor, snapshotSize: 4096, ...(flavor === 'openbao' && { disableUnauthedRekey: true }) });
    v.putSecret('canary', { value: 'ok' });
    v.putSecret('app/db', { password: 'old' });
    return v;
  };

  beforeAll(async () => {
    for (const flavor of flavors) {
      for (const creds of ['prod', 'staging'] as Credentials[]) {
        const v = await fresh(flavor);
        try {
          recorded[creds].push(...(await exerciseAll(v, creds, v.rootToken)));
        } finally {
          await v.stop();
        }
      }
      servers[flavor] = await fresh(flavor);
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((v) => v?.stop()));
  });

  it('exercises every public method of the Vault client (add new ones to EXERCISES or NO_CALL)', () => {
    const unexercised = prototypeMembers().filter((n) => !(n in EXERCISES) && !NO_CALL.has(n));
    expect(unexercised, 'VaultClient methods with no exercise in test/deploy/vault-policy.test.ts').toEqual([]);
    const stale = Object.keys(EXERCISES).filter((n) => !prototypeMembers().includes(n));
    expect(stale, 'exercises for methods VaultClient no longer has').toEqual([]);
  });

  for (const creds of ['prod', 'staging'] as Credentials[]) {
    it(`${POLICY_FILES[creds]} grants every capability the client's calls need`, () => {
      const needs = [...recorded[creds].flatMap(needsOf), ...TIMER_CALLS.map((t) => ({ path: t.path, capability: t.capability, call: t.why }))];
      expect(needs.length).toBeGreaterThan(3);
      const missing = [
        ...new Set(
          needs
            .filter((n) => !(ruleFor(policies[creds], n.path)?.capabilities ?? []).includes(n.capability))
            .map((n) => `${n.capability} on ${n.path} (for ${n.call}; matching rule: ${ruleFor(policies[creds], n.path)?.path ?? 'none'})`),
        ),
      ];
      expect(missing, `missing from deploy/vault/${POLICY_FILES[creds]}`).toEqual([]);
    });

    it(`${POLICY_FILES[creds]} grants nothing the client does not use`, () => {
      const needs = [...recorded[creds].flatMap(needsOf), ...TIMER_CALLS.map((t) => ({ path: t.path, capability: t.capability, call: t.why }))];
      const used = new Set(needs.map((n) => `${ruleFor(policies[creds], n.path)?.path} ${n.capability}`));
      const unused = policies[creds].flatMap((r) => r.capabilities.filter((c) => !used.has(`${r.path} ${c}`)).map((c) => `${c} on ${r.path}`));
      expect(unused, `granted by deploy/vault/${POLICY_FILES[creds]} but never used`).toEqual([]);
    });
  }

  it('the production policy, loaded as a real token, lets every call through on Vault and OpenBao', async () => {
    for (const flavor of flavors) {
      const v = servers[flavor] as VaultTestServer;
      const acl = Object.fromEntries(policies.prod.map((r) => [r.path, r.capabilities]));
      const token = v.createToken({ policies: acl, ttl: 3600, renewable: true });
      const requests = await exerciseAll(v, 'prod', token);
      const denied = requests.filter((r) => r.status === 403).map((r) => `${r.method} ${r.url}`);
      expect(denied, `${flavor}: calls refused with the production policy`).toEqual([]);
    }
  });

  it('matches paths as Vault does: * as a suffix, + as one segment, the most specific rule alone', () => {
    const rules = parsePolicy(`
      path "secret/data/*" { capabilities = ["read"] }
      path "secret/data/app/+/db" { capabilities = ["update"] }
      path "secret/data/app/x/db" { capabilities = ["deny"] }
    `);
    expect(ruleFor(rules, 'secret/data/app/y/db')?.capabilities).toEqual(['update']);
    expect(ruleFor(rules, 'secret/data/app/x/db')?.capabilities).toEqual(['deny']);
    expect(ruleFor(rules, 'secret/data/app/y/z/db')?.capabilities).toEqual(['read']);
    expect(ruleFor(rules, 'secret/metadata/app')).toBeUndefined();
    expect(() => parsePolicy('path "a" { capabilities = ["read"] }\npolicy = "x"')).toThrow(/does not understand/);
  });
});
