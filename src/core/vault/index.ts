/** @module vault The Vault/OpenBao client: import from here. */
export { VaultClient } from './client.js';
export { deriveState } from './health.js';
export type * from './types.js';
