/**
 * @module ui-mounts `GET sys/internal/ui/mounts/<path>`: the single-mount preflight the Vault CLI
 * uses to tell KV v1 from v2 (openbao.org / developer.hashicorp.com api-docs/system/internal-ui-mounts).
 * Authorised by the caller's capabilities on the path itself; no mount, or no capability on it → 403
 * `preflight capability check returned 403, please ensure client's policies grant access to path "<p>/"`.
 */
import { capabilitiesOf } from './auth.js';
import { VaultError, sendEnvelope, type Ctx } from './http.js';
import { KV_MOUNT } from './kv.js';
import type { TokenEntry } from './state.js';

export const UI_MOUNTS_PREFIX = 'sys/internal/ui/mounts/';

export function handleUiMount(ctx: Ctx, token: TokenEntry, path: string): void {
  if (ctx.method !== 'GET') throw new VaultError(405, ['unsupported operation']);
  const mounts = [KV_MOUNT, ...ctx.core.options.kvV1Mounts.map((m) => (m.endsWith('/') ? m : `${m}/`))];
  const mount = mounts.find((m) => `${path}/`.startsWith(m));
  const mayUse = mount !== undefined && capabilitiesOf(token, mount === KV_MOUNT ? `${mount}data/${path.slice(mount.length)}` : path).size > 0;
  if (!mount || !mayUse) {
    throw new VaultError(403, [`preflight capability check returned 403, please ensure client's policies grant access to path "${path.replace(/\/?$/, '/')}"`]);
  }
  const version = mount === KV_MOUNT ? '2' : '1';
  sendEnvelope(ctx, {
    mountType: 'system',
    data: {
      accessor: `kv_${mount.replace(/\W/g, '')}`,
      config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
      description: mount === KV_MOUNT ? 'key/value secret storage' : '',
      external_entropy_access: false,
      local: false,
      options: { version },
      path: mount,
      seal_wrap: false,
      type: 'kv',
      uuid: '00000000-0000-0000-0000-000000000000',
    },
  });
}
