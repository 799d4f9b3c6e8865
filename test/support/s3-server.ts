/**
 * @module test/support/s3-server
 * A real S3 endpoint for tests: s3rver in a child process (see s3rver-child.mjs), on 127.0.0.1,
 * a free port and a fresh temporary directory, with one bucket ready. Tests reach it over HTTP
 * only, exactly as the bot reaches S3 (S3_ENDPOINT, path-style, the S3RVER/S3RVER credentials).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`, for S3_ENDPOINT / the `endpoint` option (path-style). */
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * Multipart uploads started and neither completed nor aborted, in any bucket. Read from
   * s3rver's directory because s3rver does not implement ListMultipartUploads.
   */
  pendingUploads(): Promise<number>;
  /** Kills the server and removes its directory. */
  stop(): Promise<void>;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url));

export async function startS3Server(bucket = 'vault-backups'): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const child = fork(CHILD_SCRIPT, [JSON.stringify({ directory, bucket })], {
    // s3rver's DES continuation tokens need the legacy provider; only the child gets it (s3-testing.md).
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    const port = await portFrom(child, () => stderr);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(endpoint);
    return {
      endpoint,
      bucket,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      pendingUploads: async () => {
        let pending = 0;
        for (const name of await readdir(directory)) {
          pending += (await readdir(join(directory, name, '._S3rver_uploads')).catch(() => [])).length;
        }
        return pending;
      },
      stop: async () => {
        await kill(child);
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await kill(child);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

function portFrom(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 15 s: ${stderr()}`)), 15_000);
    child.once('message', (message: { port?: unknown }) => {
      clearTimeout(timer);
      if (typeof message.port === 'number') resolve(message.port);
      else reject(new Error(`s3rver sent no port: ${JSON.stringify(message)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code}: ${stderr()}`));
    });
  });
}

/** Any HTTP answer means it is serving; connection errors mean not yet. */
async function waitUntilAnswering(endpoint: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/`);
      await response.body?.cancel();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`s3rver at ${endpoint} never answered`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
