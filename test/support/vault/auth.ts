/**
 * @module auth Tokens and ACLs: token lookup from the request (§1.3 messages by flavor), capability
 * checks against path policies (exact path beats the longest `*` glob, as Vault's ACL does; the
 * built-in `default` policy is merged in), `auth/token/lookup-self`, `renew-self` and AppRole login.
 */
import { randomUUID } from 'node:crypto';
import {
  ACL_DENIED,
  INVALID_TOKEN_VAULT,
  PERMISSION_DENIED,
  VaultError,
  goDuration,
  parseDurationSeconds,
  parseWriteBody,
  sendEnvelope,
  type Ctx,
} from './http.js';
import {
  DEFAULT_TTL,
  SYSTEM_MAX_TTL,
  newServiceToken,
  randomString,
  rfc3339,
  tokenTtlRemaining,
  type TokenEntry,
  type VaultCore,
} from './state.js';

/** The parts of Vault's built-in `default` policy that matter here. */
const DEFAULT_POLICY: Record<string, string[]> = {
  'auth/token/lookup-self': ['read'],
  'auth/token/renew-self': ['update'],
  'auth/token/revoke-self': ['update'],
  'sys/capabilities-self': ['update'],
  'sys/renew': ['update'],
  'sys/leases/renew': ['update'],
  'sys/leases/lookup': ['update'],
  'cubbyhole/*': ['create', 'read', 'update', 'delete', 'list'],
};

export function tokenFromRequest(ctx: Ctx): string | undefined {
  const header = ctx.req.headers['x-vault-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authz = ctx.req.headers.authorization;
  if (typeof authz === 'string' && authz.startsWith('Bearer ')) return authz.slice(7).trim() || undefined;
  return undefined;
}

/** The caller's live token, or a 403 with the flavor's text. */
export function requireToken(ctx: Ctx): TokenEntry {
  const id = tokenFromRequest(ctx);
  if (id === undefined) throw new VaultError(403, [PERMISSION_DENIED]);
  const token = ctx.core.lookupToken(id);
  if (!token) {
    throw new VaultError(403, [ctx.core.flavor === 'vault' ? INVALID_TOKEN_VAULT : PERMISSION_DENIED]);
  }
  return token;
}

export function capabilitiesOf(token: TokenEntry, path: string): Set<string> {
  if (token.acl === null) return new Set(['create', 'read', 'update', 'delete', 'list', 'patch', 'sudo']);
  const rules: Record<string, Set<string>> = {};
  for (const src of [DEFAULT_POLICY, token.acl]) {
    for (const [p, caps] of Object.entries(src)) {
      const set = (rules[p] ??= new Set());
      for (const c of caps) set.add(c);
    }
  }
  let caps = rules[path];
  if (!caps) {
    let best = -1;
    for (const [p, set] of Object.entries(rules)) {
      if (!p.endsWith('*')) continue;
      const prefix = p.slice(0, -1);
      if (path.startsWith(prefix) && prefix.length > best) {
        best = prefix.length;
        caps = set;
      }
    }
  }
  if (!caps || caps.has('deny')) return new Set();
  return caps;
}

export function allowed(token: TokenEntry, path: string, ...caps: string[]): boolean {
  const have = capabilitiesOf(token, path);
  return caps.every((c) => have.has(c));
}

/** Throw the ACL denial unless the token holds all `caps` on `path`. */
export function authorize(token: TokenEntry, path: string, ...caps: string[]): void {
  if (!allowed(token, path, ...caps)) throw new VaultError(403, [ACL_DENIED]);
}

export function capabilityForMethod(method: string): string {
  switch (method) {
    case 'GET':
      return 'read';
    case 'LIST':
      return 'list';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      return 'update';
  }
}

export interface NewTokenOpts {
  acl: Record<string, string[]>;
  policyName: string;
  ttl: number;
  maxTtl: number;
  renewable: boolean;
  displayName: string;
  path: string;
  meta: Record<string, string> | null;
  orphan: boolean;
  role?: string;
}

export function issueToken(core: VaultCore, opts: NewTokenOpts): TokenEntry {
  const now = Date.now();
  const entry: TokenEntry = {
    id: newServiceToken(),
    accessor: randomString(24),
    policies: ['default', opts.policyName],
    acl: opts.acl,
    displayName: opts.displayName,
    path: opts.path,
    meta: opts.meta,
    creationTime: now,
    creationTtl: opts.ttl,
    explicitMaxTtl: opts.maxTtl,
    renewable: opts.renewable,
    expireAt: opts.ttl > 0 ? now + opts.ttl * 1000 : null,
    lastRenewal: null,
    orphan: opts.orphan,
  };
  if (opts.role !== undefined) entry.role = opts.role;
  core.addToken(entry);
  return entry;
}

/** The `auth` object of a login / renew response (field order of Vault's `logical.HTTPAuth`). */
function authBlock(token: TokenEntry, leaseDuration: number): Record<string, unknown> {
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: token.meta,
    lease_duration: leaseDuration,
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: token.orphan,
    mfa_requirement: null,
    num_uses: 0,
  };
}

export function handleLookupSelf(ctx: Ctx, token: TokenEntry): void {
  if (ctx.method !== 'GET' && ctx.method !== 'POST' && ctx.method !== 'PUT') {
    throw new VaultError(405, ['unsupported operation']);
  }
  authorize(token, 'auth/token/lookup-self', ctx.method === 'GET' ? 'read' : 'update');
  const now = Date.now();
  const data: Record<string, unknown> = {
    accessor: token.accessor,
    creation_time: Math.floor(token.creationTime / 1000),
    creation_ttl: token.creationTtl,
    display_name: token.displayName,
    entity_id: '',
    expire_time: token.expireAt === null ? null : rfc3339(token.expireAt),
    explicit_max_ttl: token.explicitMaxTtl,
    id: token.id,
    issue_time: rfc3339(token.creationTime),
    meta: token.meta,
    num_uses: 0,
    orphan: token.orphan,
    path: token.path,
    policies: token.policies,
    renewable: token.renewable,
    ttl: tokenTtlRemaining(token, now),
    type: 'service',
  };
  if (token.lastRenewal !== null) {
    data.last_renewal = rfc3339(token.lastRenewal);
    data.last_renewal_time = Math.floor(token.lastRenewal / 1000);
  }
  if (token.role !== undefined) data.role = token.role;
  sendEnvelope(ctx, { mountType: 'token', data });
}

export function handleRenewSelf(ctx: Ctx, token: TokenEntry): void {
  if (ctx.method !== 'POST' && ctx.method !== 'PUT') throw new VaultError(405, ['unsupported operation']);
  authorize(token, 'auth/token/renew-self', 'update');
  const body = parseWriteBody(ctx);
  if (!token.renewable || token.expireAt === null) throw new VaultError(400, ['lease is not renewable']);
  const increment = body.increment === undefined ? 0 : parseDurationSeconds(body.increment);
  if (increment === undefined) throw new VaultError(400, ['invalid increment']);
  const now = Date.now();
  let ttl = increment > 0 ? increment : token.creationTtl;
  const maxTtl = token.explicitMaxTtl > 0 ? token.explicitMaxTtl : SYSTEM_MAX_TTL;
  const maxExpire = token.creationTime + maxTtl * 1000;
  const warnings: string[] = [];
  if (now + ttl * 1000 > maxExpire) {
    const capped = Math.max(0, Math.floor((maxExpire - now) / 1000));
    warnings.push(
      `TTL of "${goDuration(ttl)}" exceeded the effective max_ttl of "${goDuration(capped)}"; TTL value is capped accordingly`,
    );
    ttl = capped;
  }
  token.expireAt = now + ttl * 1000;
  token.lastRenewal = now;
  sendEnvelope(ctx, { mountType: 'token', auth: authBlock(token, ttl), warnings: warnings.length ? warnings : null });
}

export function handleAppRoleLogin(ctx: Ctx): void {
  if (ctx.method !== 'POST' && ctx.method !== 'PUT') throw new VaultError(405, ['unsupported operation']);
  const body = parseWriteBody(ctx);
  const roleId = typeof body.role_id === 'string' ? body.role_id : '';
  const secretId = typeof body.secret_id === 'string' ? body.secret_id : '';
  if (roleId === '') throw new VaultError(400, ['missing role_id']);
  const role = Object.values(ctx.core.logical.approles).find((r) => r.roleId === roleId);
  if (secretId === '') throw new VaultError(400, ['missing secret_id']);
  if (!role || !role.secretIds.includes(secretId)) throw new VaultError(400, ['invalid role or secret ID']);
  const token = issueToken(ctx.core, {
    acl: role.policies,
    policyName: role.roleName,
    ttl: role.tokenTtl,
    maxTtl: role.tokenMaxTtl,
    renewable: true,
    displayName: 'approle',
    path: 'auth/approle/login',
    meta: { role_name: role.roleName },
    orphan: true,
    role: role.roleName,
  });
  ctx.core.counters.logins += 1;
  sendEnvelope(ctx, { mountType: 'approle', auth: authBlock(token, role.tokenTtl) });
}

/** `createToken` of the public API. */
export function createToken(
  core: VaultCore,
  opts: { policies: Record<string, string[]>; ttl?: number; renewable?: boolean; maxTtl?: number },
): string {
  const n = Object.keys(core.logical.tokens).length;
  return issueToken(core, {
    acl: structuredClone(opts.policies),
    policyName: `test-policy-${n}`,
    ttl: opts.ttl ?? DEFAULT_TTL,
    maxTtl: opts.maxTtl ?? 0,
    renewable: opts.renewable ?? true,
    displayName: 'token',
    path: 'auth/token/create',
    meta: null,
    orphan: false,
  }).id;
}

/** `createAppRole` of the public API: enables AppRole and adds (or replaces) one role. */
export function createAppRole(
  core: VaultCore,
  opts: { roleName: string; policies: Record<string, string[]>; tokenTtl?: number; tokenMaxTtl?: number },
): { roleId: string; secretId: string } {
  const roleId = randomUUID();
  const secretId = randomUUID();
  core.logical.approleEnabled = true;
  core.logical.approles[opts.roleName] = {
    roleName: opts.roleName,
    roleId,
    secretIds: [secretId],
    policies: structuredClone(opts.policies),
    tokenTtl: opts.tokenTtl ?? DEFAULT_TTL,
    tokenMaxTtl: opts.tokenMaxTtl ?? 0,
  };
  core.bumpIndex();
  return { roleId, secretId };
}
