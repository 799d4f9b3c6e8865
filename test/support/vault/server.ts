/**
 * @module server `startVaultServer`: a `node:http` Vault/OpenBao on 127.0.0.1:<random>, implementing
 * `VaultTestServer` (types.ts). Connections are accepted by a TCP server and handed to the HTTP
 * server through `RewritingConnection` so the `LIST` verb works. `stop()` destroys open sockets so
 * a stalled snapshot stream cannot keep the process alive.
 */
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { createAppRole, createToken } from './auth.js';
import { RewritingConnection } from './connection.js';
import { writeVersion } from './kv.js';
import { snapshotSource } from './raft.js';
import { handleRequest } from './router.js';
import { snapshotToBuffer } from './snapshot-build.js';
import { VaultCore } from './state.js';
import type { VaultFaults, VaultServerOptions, VaultTestServer } from './types.js';

/** `hooks.core`: hands the node's internal state to a harness that links nodes (ha-cluster.ts); tests use the returned API. */
export async function startVaultServer(opts: VaultServerOptions = {}, hooks: { core?: (core: VaultCore) => void } = {}): Promise<VaultTestServer> {
  const flavor = opts.flavor ?? 'vault';
  const core = new VaultCore(opts, {
    flavor,
    version: opts.version ?? (flavor === 'openbao' ? '2.6.0' : '1.19.0'),
    snapshotSize: opts.snapshotSize ?? 64 * 1024,
    gzipLevel: opts.gzipLevel ?? 1,
    prometheusEnabled: opts.prometheusEnabled ?? true,
    unauthenticatedMetrics: opts.unauthenticatedMetrics ?? false,
    disableUnauthedRekey: opts.disableUnauthedRekey ?? true,
    sealOnForeignRestore: opts.sealOnForeignRestore ?? false,
    kvV1Mounts: opts.kvV1Mounts ?? [],
  });

  hooks.core?.(core);
  const sockets = new Set<Socket>();
  const http = createServer((req, res) => {
    handleRequest(core, req, res).catch(() => {
      res.destroy();
    });
  });
  // The HTTP server never listens itself: connections come through the LIST-rewriting wrapper.
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    http.emit('connection', new RewritingConnection(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  core.url = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    url: core.url,
    get rootToken() {
      return core.rootToken;
    },
    flavor,
    state: core.state,
    get faults(): VaultFaults {
      return core.faults;
    },
    set faults(f: VaultFaults) {
      core.faults = f;
    },
    requests: core.requests,
    restores: core.restores,
    createToken: (o) => createToken(core, o),
    createAppRole: (o) => createAppRole(core, o),
    putSecret: (path, data) => {
      // Accept `app/x`, `secret/app/x` and `secret/data/app/x` alike.
      writeVersion(core.logical, path.replace(/^\/+/, '').replace(/^secret\/(data\/)?/, ''), data);
      core.bumpIndex();
    },
    unsealKeys: () => [...core.logical.barrier.keys],
    snapshotBytes: () => snapshotToBuffer(snapshotSource(core)),
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return stopped;
    },
  };
}
