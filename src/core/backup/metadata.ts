/**
 * @module backup/metadata
 * The metadata stored with every backup (DESIGN §4): S3 user metadata, or the folder store's JSON
 * sidecar — exactly these keys, values as strings.
 */
import type { AuditHead } from '../audit/types.js';
import type { BackupKind } from '../notifier.js';
import type { ObjectMetadata } from '../store/backup-store.js';

export interface MetadataInput {
  stored: { digest(): string };
  plain: { digest(): string; bytes: number };
  keyId: string;
  vaultVersion: string | undefined;
  createdAt: Date;
  kind: BackupKind;
  auditHead: AuditHead;
  /** The source cluster, from `sys/health`; undefined when Vault did not say. */
  cluster?: { id?: string; name?: string };
}

export function buildMetadata(m: MetadataInput): ObjectMetadata {
  return {
    'sha256': m.stored.digest(),
    'plain-sha256': m.plain.digest(),
    'plain-size': String(m.plain.bytes),
    'key-id': m.keyId,
    'format': 'vcbk1',
    'vault-version': m.vaultVersion ?? 'unknown',
    'created-at': m.createdAt.toISOString(),
    'kind': m.kind,
    'audit-head': `${m.auditHead.id}:${m.auditHead.hash}`,
    'cluster': printable(m.cluster?.id) ?? 'unknown',
    ...(m.cluster?.name ? { 'cluster-name': printable(m.cluster.name) } : {}),
  };
}

/** Metadata values travel as HTTP headers: printable ASCII only. */
function printable(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.replace(/[^\x20-\x7e]/g, '?');
}
