/**
 * Runs the Vault test server in its own process for the benchmark, so the snapshot generator's
 * CPU and memory are not counted against the pipeline being measured. Prints its URL and token.
 */
import { startVaultServer } from '../test/support/vault/server.js';

const size = Number(process.argv[2]);
const server = await startVaultServer({ snapshotSize: size, gzipLevel: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url, token: server.rootToken })}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
