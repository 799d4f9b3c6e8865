/**
 * @module health/types
 * The health checks of DESIGN §8 as plain facts: each check passes, fails or is skipped (it could
 * not be judged because something it depends on is down), with one sentence saying why. Which
 * alert a failing check raises is part of the check, so the alert engine needs no table of its own.
 */
import type { RunRow } from '../backup/catalogue.js';
import type { BackupStore } from '../store/backup-store.js';
import type { AlertKey } from '../alerts/keys.js';
import type { Clock } from '../clock.js';
import type { AutopilotState, VaultHealth, VaultLeader } from '../vault/types.js';

export type CheckName =
  | 'reachable'
  | 'initialised'
  | 'sealed'
  | 'leader'
  | 'raft'
  | 'latency'
  | 'backup_age'
  | 'last_backup'
  | 'restore_test'
  | 'store';

/** `skip`: not judged this round (e.g. leadership while Vault is sealed); neither fails nor clears. */
export type CheckState = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: CheckName;
  state: CheckState;
  /** One sentence, safe to show in Slack and logs: never a token or a secret. */
  detail: string;
  /** The alert a failure of this check raises; none for checks that only inform. */
  alert?: AlertKey;
  /** The fired alert's title when the key's own would mislead (an uninitialised Vault is not "sealed"). */
  title?: string;
  durationMs: number;
}

export interface HealthRound {
  startedAt: Date;
  durationMs: number;
  results: CheckResult[];
}

/** What the checks need from a Vault client (production, staging or one node). */
export interface HealthVault {
  readonly address: string;
  health(): Promise<VaultHealth>;
  leader(): Promise<VaultLeader>;
  autopilotState(): Promise<AutopilotState | undefined>;
}

/** What the checks read from the backup catalogue. */
export interface HealthCatalogue {
  lastSuccessAt(): Date | undefined;
  lastRun(): RunRow | undefined;
  lastRestore(purpose: 'restore-test'): { status: string; finishedAt: string | null; error: string | null } | undefined;
}

export interface HealthRoundOptions {
  vault: HealthVault;
  /**
   * Every node of the cluster (VAULT_NODE_ADDRS), each a client for that node's own address. When
   * given, the Vault checks ask each node; `vault` is then not asked.
   */
  nodes?: readonly HealthVault[];
  /** Without a store and catalogue only the Vault checks run (e.g. a staging drill). */
  store?: Pick<BackupStore, 'list' | 'location'>;
  catalogue?: HealthCatalogue;
  clock?: Clock;
  /** LATENCY_WARN_MS; default 100. */
  latencyWarnMs?: number;
  /** Bound on each check; a check that takes longer fails with "no answer". Default 5000 ms. */
  timeoutMs?: number;
  /** Health probes the latency check takes (the first is the reachability call); default 3. */
  latencyProbes?: number;
  /** A backup older than this, by catalogue or by store, is overdue; default 25. */
  maxBackupAgeHours?: number;
}
