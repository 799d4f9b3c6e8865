/** @module audit/types The audit log's public shape, shared by everything that records events. */

export interface AuditEntry {
  /** Slack user ID, `system`, or `cli`. */
  actor: string;
  /** Dotted event name, e.g. `backup.succeeded`, `approval.granted`. */
  event: string;
  /** What the event is about: an object key, a request id, a Vault path… */
  target?: string;
  /** JSON-serialisable details. Never secrets. */
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'target'>> {
  id: number;
  time: string;
  target: string | null;
  prevHash: string;
  hash: string;
}

/** The chain head, written into every backup's metadata as `<id>:<hash>`. */
export interface AuditHead {
  id: number;
  hash: string;
}

/** The one method most of the core needs: record an event, get the stored row back. */
export interface AuditTrail {
  append(entry: AuditEntry): AuditRecord;
  head(): AuditHead;
}
