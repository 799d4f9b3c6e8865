/** @module drills/types What a drill is, how it was asked for, and the report it leaves (DESIGN §13). */
import type { RestoreReport } from '../notifier.js';

export type DrillScenario = 'restore-test' | 'backup-integrity' | 'seal' | 'rotation';
export const DRILL_SCENARIOS: readonly DrillScenario[] = ['restore-test', 'backup-integrity', 'seal', 'rotation'];

export type DrillTrigger = 'slack' | 'schedule' | 'cli';
export type DrillStatus = 'running' | 'passed' | 'failed' | 'interrupted';

/** One timed step; `detail` is one safe sentence (never a secret). */
export interface DrillStep {
  name: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

export interface DrillReport {
  id: number;
  scenario: DrillScenario;
  trigger: DrillTrigger;
  actor: string;
  requestId: string | null;
  /** The staging Vault's address. */
  target: string;
  status: DrillStatus;
  startedAt: string;
  finishedAt: string | null;
  /** The measured time compared with the target (whole drill, or the part the target is about). */
  durationMs: number | null;
  targetMs: number | null;
  /** true met, false missed, null: no target, or nothing measured. */
  met: boolean | null;
  steps: DrillStep[];
  /** One sentence per failure, naming where (an object key, a step). */
  failures: string[];
  summary: string;
}

export interface DrillRequest {
  scenario: DrillScenario;
  trigger: DrillTrigger;
  actor: string;
  requestId?: string;
  /** backup-integrity: only the newest N catalogued backups. */
  newest?: number;
  /** Called with a short line during long drills (backup-integrity), e.g. to post in the thread. */
  onProgress?: (line: string) => Promise<void> | void;
  /** restore-test: the restore's own report and, when it failed, where (the weekly test raises restore_test_failed from it). */
  onRestoreFinished?: (report: RestoreReport, error?: { step: string; reason: string }) => Promise<void> | void;
}
