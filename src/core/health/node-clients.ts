/**
 * @module health/node-clients
 * One Vault client per node named in VAULT_NODE_ADDRS, with the production credentials, for the
 * per-node health checks (each node answers `sys/health` for itself). Empty when the variable is
 * unset: the checks then ask VAULT_ADDR alone.
 */
import type { Logger } from '../logger.js';
import type { VaultConfig } from '../config/types.js';
import { VaultClient } from '../vault/client.js';

export function nodeClients(vault: VaultConfig, logger: Logger, requestTimeoutMs = 5000): VaultClient[] {
  return (vault.nodeAddrs ?? []).map(
    (addr) =>
      new VaultClient({
        addr,
        ...(vault.token ? { token: vault.token } : {}),
        ...(vault.appRole ? { appRole: vault.appRole } : {}),
        ...(vault.namespace ? { namespace: vault.namespace } : {}),
        ...(vault.caCert ? { caCert: vault.caCert } : {}),
        logger: logger.child({ vault: 'node', node: addr }),
        requestTimeoutMs,
      }),
  );
}
