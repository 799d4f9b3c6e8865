/**
 * @module vault/rekey
 * Starting, reading and cancelling a rekey of the unseal keys (reference §5, §11). Vault and older
 * OpenBao serve the raw `sys/rekey/init` (token ignored by Vault 1.x, required by Vault 2.0);
 * OpenBao 2.5+ answers 405 there and serves the authenticated `sys/rotate/root/init` instead, with
 * the same fields inside the envelope's `data`. Shares are never sent or read here: key holders
 * submit them with their own CLI.
 */
import { isCoreError } from '../errors.js';
import type { VaultJsonCall } from './auth.js';
import { httpStatusOf } from './map-error.js';
import { record, toRekeyStatus } from './responses.js';
import type { RekeyStatus } from './types.js';

export type RekeyApi = 'sys/rekey' | 'sys/rotate/root';

export interface RekeyRequest {
  shares: number;
  threshold: number;
  /** Base64 PGP public keys, one per share. */
  pgpKeys?: string[];
}

export interface RekeyCalls {
  /** Raw sys call (token sent when there is one, as Vault 2.0 needs). */
  raw: VaultJsonCall;
  /** Authenticated logical call. */
  authed: VaultJsonCall;
}

/** Starts a rekey on the first API that serves it and says which one that was. */
export async function startRekey(calls: RekeyCalls, request: RekeyRequest): Promise<{ api: RekeyApi; status: RekeyStatus }> {
  const body = {
    secret_shares: request.shares,
    secret_threshold: request.threshold,
    ...(request.pgpKeys ? { pgp_keys: request.pgpKeys } : {}),
  };
  try {
    return { api: 'sys/rekey', status: toRekeyStatus(await calls.raw('PUT', 'sys/rekey/init', { body })) };
  } catch (error) {
    if (!isDisabled(error)) throw error;
  }
  return { api: 'sys/rotate/root', status: toRekeyStatus(record(record(await calls.authed('POST', 'sys/rotate/root/init', { body })).data)) };
}

/** The rekey's progress on the API it was started on. */
export async function readRekey(calls: RekeyCalls, api: RekeyApi): Promise<RekeyStatus> {
  if (api === 'sys/rekey') return toRekeyStatus(await calls.raw('GET', 'sys/rekey/init'));
  return toRekeyStatus(record(record(await calls.authed('GET', 'sys/rotate/root/init')).data));
}

/** Which API this server serves, by reading its status (405 on `sys/rekey` → OpenBao's rotate/root). */
export async function detectRekeyApi(calls: RekeyCalls): Promise<{ api: RekeyApi; status: RekeyStatus }> {
  try {
    return { api: 'sys/rekey', status: await readRekey(calls, 'sys/rekey') };
  } catch (error) {
    if (!isDisabled(error)) throw error;
  }
  return { api: 'sys/rotate/root', status: await readRekey(calls, 'sys/rotate/root') };
}

export async function cancelRekey(calls: RekeyCalls, api: RekeyApi, nonce: string): Promise<void> {
  if (api === 'sys/rekey') await calls.raw('DELETE', 'sys/rekey/init', { body: { nonce } });
  else await calls.authed('DELETE', 'sys/rotate/root/init', { body: { nonce } });
}

function isDisabled(error: unknown): boolean {
  return isCoreError(error) && httpStatusOf(error) === 405;
}
