/**
 * @module vault/snapshot
 * Raft snapshot save and restore as byte streams. The save stream has no overall deadline (big
 * snapshots take minutes) but dies when Vault stops sending for `idleTimeoutMs`; time the consumer
 * spends applying backpressure does not count as Vault stalling.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { CoreError, ErrorCode, isCoreError } from '../errors.js';
import { errorFromResponse, errorsOf, formatDuration } from './map-error.js';
import { readJson, sendRaw, type VaultEndpoint } from './transport.js';

const SNAPSHOT_PATH = 'sys/storage/raft/snapshot';

/** Opens `GET sys/storage/raft/snapshot`; resolves with the gzip/tar bytes exactly as Vault sends them. */
export async function openSnapshot(endpoint: VaultEndpoint, idleTimeoutMs: number): Promise<Readable> {
  const { response, url } = await sendRaw(endpoint, {
    method: 'GET',
    path: SNAPSHOT_PATH,
    authenticated: true,
    timeoutMs: idleTimeoutMs,
  });
  if (response.statusCode !== 200) {
    throw await failure(endpoint, response, 'GET', SNAPSHOT_PATH, 'read');
  }
  return new SnapshotStream(response, url.origin, idleTimeoutMs);
}

/**
 * The whole snapshot reached Vault but no answer came (the answer timeout passed, or the connection
 * closed first). Vault answers a restore only after installing it, so it may well have been
 * applied: the outcome is unknown and must be established, never reported as a failure.
 */
export class RestoreOutcomeUnknown extends CoreError {
  constructor(readonly addr: string, readonly bytesSent: number, cause: CoreError) {
    super(
      cause.code,
      `Vault at ${addr} received the whole snapshot (${bytesSent} bytes) but did not answer (${cause.userMessage}); it may have applied it, so the outcome is unknown until checked`,
      { cause },
    );
    this.name = 'RestoreOutcomeUnknown';
  }
}

/**
 * Posts a snapshot to `sys/storage/raft/snapshot[-force]`; `body` is called again if Vault
 * redirects. `answerTimeoutMs` bounds the silence on the connection, which includes the time Vault
 * takes to install the snapshot before it answers (minutes for a big one). A network failure after
 * the whole body was sent is a RestoreOutcomeUnknown.
 */
export async function restoreSnapshot(endpoint: VaultEndpoint, body: () => Readable, force: boolean, answerTimeoutMs: number): Promise<void> {
  const path = force ? `${SNAPSHOT_PATH}-force` : SNAPSHOT_PATH;
  let sent: { done: boolean; bytes: number } = { done: false, bytes: 0 };
  const tracked = (): Readable => {
    const attempt = { done: false, bytes: 0 };
    sent = attempt;
    const stream = body();
    stream.on('data', (chunk: Buffer) => { attempt.bytes += chunk.length; });
    stream.once('end', () => { attempt.done = true; });
    return stream;
  };
  let response: IncomingMessage;
  try {
    ({ response } = await sendRaw(endpoint, { method: 'POST', path, authenticated: true, body: tracked, timeoutMs: answerTimeoutMs }));
  } catch (error) {
    if (sent.done && (isCoreError(error, ErrorCode.VaultTimeout) || isCoreError(error, ErrorCode.VaultUnreachable))) {
      throw new RestoreOutcomeUnknown(endpoint.addr, sent.bytes, error);
    }
    throw error;
  }
  if (response.statusCode === 200 || response.statusCode === 204) {
    response.resume();
    return;
  }
  const error = await failure(endpoint, response, 'POST', path, 'update');
  if (!force && response.statusCode === 400 && /could not verify hash file|different set of unseal keys|autoseal key/i.test(error.message)) {
    throw new CoreError(
      ErrorCode.VaultBadRequest,
      `Vault at ${endpoint.addr} refused the snapshot: it was taken on another cluster (different unseal keys). Restore it with force (snapshot-force) if replacing this cluster's data is intended`,
      { cause: error },
    );
  }
  throw error;
}

async function failure(endpoint: VaultEndpoint, response: IncomingMessage, method: string, path: string, capability: string): Promise<CoreError> {
  const body = await readJson(response).catch(() => undefined);
  return errorFromResponse({
    addr: endpoint.addr,
    path,
    method,
    capability,
    status: response.statusCode ?? 0,
    errors: errorsOf(body),
    secrets: endpoint.secrets(),
  });
}

/** Re-emits the response body, failing on a stall (idle timeout) or a connection cut before the end. */
class SnapshotStream extends Readable {
  private timer: NodeJS.Timeout | undefined;
  private received = 0;
  private ended = false;

  constructor(
    private readonly source: IncomingMessage,
    private readonly origin: string,
    private readonly idleTimeoutMs: number,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    source.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.arm();
      if (!this.push(chunk)) {
        source.pause();
        this.disarm();
      }
    });
    source.on('end', () => {
      this.ended = true;
      this.disarm();
      this.push(null);
    });
    source.on('error', (error) => this.destroy(this.cut(error)));
    source.on('close', () => {
      if (!source.complete && !this.destroyed) this.destroy(this.cut(new Error('connection closed before the end of the snapshot')));
    });
    source.pause();
  }

  override _read(): void {
    if (this.ended) return;
    this.arm();
    this.source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.disarm();
    if (!this.source.destroyed) this.source.destroy();
    callback(error);
  }

  private arm(): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.destroy(
        new CoreError(
          ErrorCode.VaultTimeout,
          `the snapshot stream stalled for ${formatDuration(this.idleTimeoutMs)}: Vault at ${this.origin} sent nothing more after ${this.received} bytes; the backup is incomplete`,
        ),
      );
    }, this.idleTimeoutMs);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private cut(cause: unknown): CoreError {
    return new CoreError(
      ErrorCode.VaultUnreachable,
      `lost the connection to Vault at ${this.origin} after ${this.received} bytes of the snapshot; the backup is incomplete`,
      { cause },
    );
  }
}
