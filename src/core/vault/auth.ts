/**
 * @module vault/auth
 * Getting and renewing a token: AppRole login, `lookup-self` for a given token, `renew-self`.
 * Each call returns the new token state; the caller decides where to keep it.
 */
import type { Clock } from '../clock.js';
import { CoreError, ErrorCode, isCoreError } from '../errors.js';
import type { VaultAppRoleCredentials, VaultTokenInfo } from './types.js';

/** A JSON call to Vault as the client makes it (auth header added unless `anonymous`). */
export type VaultJsonCall = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST',
  path: string,
  options?: { body?: unknown; anonymous?: boolean; capability?: string },
) => Promise<unknown>;

export interface TokenGrant {
  token: string;
  info: VaultTokenInfo;
  /** The TTL a fresh login or full renewal gives; a smaller renewal means max TTL is near. */
  fullTtlSeconds: number;
}

export async function appRoleLogin(call: VaultJsonCall, creds: VaultAppRoleCredentials, clock: Clock, addr: string): Promise<TokenGrant> {
  const mount = (creds.mount ?? 'approle').replace(/^\/+|\/+$/g, '');
  const path = `auth/${mount}/login`;
  let body: unknown;
  try {
    body = await call('POST', path, { body: { role_id: creds.roleId, secret_id: creds.secretId }, anonymous: true });
  } catch (error) {
    if (isCoreError(error) && (error.code === ErrorCode.VaultBadRequest || error.code === ErrorCode.VaultPermissionDenied)) {
      throw new CoreError(
        ErrorCode.VaultAuthFailed,
        `AppRole login at ${path} on Vault at ${addr} was refused; check VAULT_ROLE_ID, VAULT_SECRET_ID and that AppRole is mounted at auth/${mount}`,
        { cause: error },
      );
    }
    throw error;
  }
  const auth = field(body, 'auth');
  const token = auth?.client_token;
  if (typeof token !== 'string' || token === '') {
    throw new CoreError(ErrorCode.VaultAuthFailed, `AppRole login at ${path} on Vault at ${addr} returned no token`);
  }
  const ttl = num(auth?.lease_duration);
  return { token, info: tokenInfo(ttl, auth?.renewable === true, 'approle', clock), fullTtlSeconds: ttl };
}

/** Learns TTL and renewability of a token that was given to us. */
export async function lookupSelf(call: VaultJsonCall, clock: Clock, addr: string): Promise<Omit<TokenGrant, 'token'>> {
  let body: unknown;
  try {
    body = await call('GET', 'auth/token/lookup-self');
  } catch (error) {
    if (isCoreError(error, ErrorCode.VaultPermissionDenied) || isCoreError(error, ErrorCode.VaultAuthFailed)) {
      throw new CoreError(
        ErrorCode.VaultAuthFailed,
        `Vault at ${addr} does not accept the configured token (invalid, expired or revoked); set a valid VAULT_TOKEN`,
        { cause: error },
      );
    }
    throw error;
  }
  const data = field(body, 'data');
  const ttl = num(data?.ttl);
  const creationTtl = num(data?.creation_ttl) || ttl;
  return { info: tokenInfo(ttl, data?.renewable === true && ttl > 0, 'token', clock), fullTtlSeconds: creationTtl };
}

/** `renew-self`; resolves the token's new state. */
export async function renewSelf(call: VaultJsonCall, source: VaultTokenInfo['source'], clock: Clock): Promise<VaultTokenInfo> {
  const body = await call('POST', 'auth/token/renew-self', { body: {} });
  const auth = field(body, 'auth');
  return tokenInfo(num(auth?.lease_duration), auth?.renewable === true, source, clock);
}

function tokenInfo(ttlSeconds: number, renewable: boolean, source: VaultTokenInfo['source'], clock: Clock): VaultTokenInfo {
  const info: VaultTokenInfo = { ttlSeconds, renewable: renewable && ttlSeconds > 0, source };
  if (ttlSeconds > 0) info.expiresAt = new Date(clock().getTime() + ttlSeconds * 1000);
  return info;
}

function field(body: unknown, name: string): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
