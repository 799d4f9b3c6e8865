/**
 * @module backup/ports
 * The narrow slices of the Vault client that the backup engine needs. Keeping them this small lets
 * restore tests point a second client (staging, production credentials) at the same code.
 */
import type { Readable } from 'node:stream';

export interface SnapshotSource {
  /** Streams `GET sys/storage/raft/snapshot`; errors (timeouts, resets) surface on the stream. */
  snapshot(): Promise<Readable>;
  health(): Promise<{ version?: string; sealed?: boolean; initialized?: boolean }>;
}

export interface RestoreTarget extends SnapshotSource {
  /** Where this target lives, for people and the audit log. */
  readonly address: string;
  restoreSnapshot(body: () => Readable, opts: { force: boolean }): Promise<void>;
}

export interface SecretReader {
  readSecret(path: string): Promise<Record<string, unknown>>;
}
