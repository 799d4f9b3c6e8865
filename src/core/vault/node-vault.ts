/**
 * @module vault/node-vault
 * A typed doorway to the untyped `node-vault` package: only the calls this client makes.
 * Loaded through `createRequire` so no ambient `declare module` can clash with another one.
 */
import { createRequire } from 'node:module';
import type { Agent as HttpsAgent } from 'node:https';

export interface NodeVaultRequest {
  /** Path after `/v1`, with a leading `/`, query allowed. */
  path: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST';
  headers?: Record<string, string>;
  json?: unknown;
  timeout?: number;
  httpsAgent?: HttpsAgent;
}

export interface NodeVaultClient {
  endpoint: string;
  token: string | undefined;
  namespace: string | undefined;
  pathPrefix: string;
  /** Resolves the parsed body on 200/204 (204 → ''); rejects with ApiResponseError otherwise, except `sys/health`. */
  request(options: NodeVaultRequest): Promise<unknown>;
}

export interface NodeVaultConfig {
  endpoint: string;
  apiVersion?: 'v1';
  token?: string;
  namespace?: string;
  pathPrefix?: string;
  /** node-vault logs request bodies (secret ids included) through this: always a no-op here. */
  debug?: (...args: unknown[]) => void;
  rpDefaults?: { strictSSL?: boolean; timeout?: number };
  requestOptions?: { ca?: string | string[] };
}

/** The shape of node-vault's `ApiResponseError`. */
export interface NodeVaultResponseError extends Error {
  response: { statusCode: number; body: unknown };
}

export function isNodeVaultResponseError(error: unknown): error is NodeVaultResponseError {
  if (!(error instanceof Error) || !('response' in error)) return false;
  const response = (error as { response?: unknown }).response;
  return typeof response === 'object' && response !== null && typeof (response as { statusCode?: unknown }).statusCode === 'number';
}

const require = createRequire(import.meta.url);
const factory = require('node-vault') as (config: NodeVaultConfig) => NodeVaultClient;

/** Creates a node-vault client that ignores VAULT_TOKEN / VAULT_NAMESPACE / VAULT_PREFIX from the environment. */
export function createNodeVault(config: NodeVaultConfig): NodeVaultClient {
  const client = factory({ ...config, debug: () => {} });
  // node-vault falls back to environment variables for unset options; the caller's options are the whole truth.
  client.token = '';
  client.namespace = config.namespace ?? '';
  client.pathPrefix = '';
  return client;
}
