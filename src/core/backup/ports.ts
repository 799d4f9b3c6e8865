/**
 * @module backup/ports
 * The narrow slices of the Vault client that the backup engine needs. Keeping them this small lets
 * restore tests point a second client (staging, production credentials) at the same code.
 */
import type { Readable } from 'node:stream';

export interface SnapshotSource {
  /** Streams `GET sys/storage/raft/snapshot`; errors (timeouts, resets) surface on the stream. */
  snapshot(): Promise<Readable>;
  health(): Promise<{ version?: string; sealed?: boolean; initialized?: boolean; clusterName?: string; clusterId?: string }>;
}

export interface RestoreTarget extends SnapshotSource {
  /** Where this target lives, for people and the audit log. */
  readonly address: string;
  /**
   * Posts the snapshot. `timeoutMs` bounds the wait for Vault's answer, which comes only after it
   * installed the snapshot. Rejects with RestoreOutcomeUnknown when the whole body was sent but no
   * answer came.
   */
  restoreSnapshot(body: () => Readable, opts: { force: boolean; timeoutMs?: number }): Promise<void>;
  /** The raft committed index (`sys/leader`), to tell whether a restore went in; undefined when unknown. */
  raftIndex?(): Promise<number | undefined>;
}

export interface SecretReader {
  readSecret(path: string): Promise<Record<string, unknown>>;
}
