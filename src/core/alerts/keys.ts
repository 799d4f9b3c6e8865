/**
 * @module alerts/keys
 * The alert keys and severities of DESIGN §8, and which health check raises which alert. Keys are
 * a contract: PagerDuty dedup keys, Prometheus labels and the audit log use them as written here.
 */

export type AlertKey =
  | 'vault_sealed'
  | 'vault_unreachable'
  | 'no_leader'
  | 'backup_failed'
  | 'backup_overdue'
  | 'raft_unhealthy'
  | 'restore_test_failed'
  | 'store_unreachable'
  | 'high_latency';

export type Severity = 'critical' | 'high' | 'medium';

export const SEVERITY: Readonly<Record<AlertKey, Severity>> = {
  vault_sealed: 'critical',
  vault_unreachable: 'critical',
  no_leader: 'critical',
  backup_failed: 'critical',
  backup_overdue: 'high',
  raft_unhealthy: 'high',
  restore_test_failed: 'high',
  store_unreachable: 'high',
  high_latency: 'medium',
};

export const ALERT_KEYS = Object.keys(SEVERITY) as AlertKey[];
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium'];

/** What each alert is about, for the first line of its message. */
export const ALERT_TITLES: Readonly<Record<AlertKey, string>> = {
  vault_sealed: 'Vault is sealed',
  vault_unreachable: 'Vault is unreachable',
  no_leader: 'Vault has no active leader',
  backup_failed: 'Backup failed',
  backup_overdue: 'Backup overdue',
  raft_unhealthy: 'Raft cluster unhealthy',
  restore_test_failed: 'Restore test failed',
  store_unreachable: 'Backup store unreachable',
  high_latency: 'Vault latency high',
};

/** Alerts that fire on the first failed check instead of after ALERT_AFTER_FAILURES. */
export const FIRE_AT_ONCE: ReadonlySet<AlertKey> = new Set<AlertKey>(['vault_sealed']);

export function isAlertKey(value: string): value is AlertKey {
  return Object.hasOwn(SEVERITY, value);
}
