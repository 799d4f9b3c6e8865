/**
 * @module handlers/deps
 * What every handler is given: the core engines it calls, the bot's messenger for approval threads,
 * and who is asking. Handlers translate; these decide (core) or show (bot).
 */
import type { AlertEngine } from '../core/alerts/index.js';
import type { ApprovalEngine } from '../core/approvals/index.js';
import type { RotationServices } from '../core/rotation/services.js';
import type { HealthMonitor } from '../core/health/index.js';
import type { AuditLog } from '../core/audit/index.js';
import type { BackupEngine } from '../core/backup-engine.js';
import type { Clock } from '../core/clock.js';
import type { DrillRunner } from '../core/drills/index.js';
import type { ReportService } from '../core/report/index.js';
import type { Logger } from '../core/logger.js';
import type { ApprovalMessenger } from '../bot/approval-messenger.js';
import type { BackgroundWork } from '../bot/background-work.js';
import type { SlackMessage } from '../bot/blocks/kit.js';

export interface HandlerDeps {
  backups: BackupEngine;
  approvals: ApprovalEngine;
  audit: AuditLog;
  messenger: ApprovalMessenger;
  /** SLACK_OPS_CHANNEL, named in answers ("posted in #ops"). */
  opsChannel: string;
  logger: Logger;
  clock: Clock;
  /** Long work started after the ack (actions, backups); stopping the bot waits for it. */
  work: BackgroundWork;
  /** Drills against staging and their history (`/vault drill`, `/vault drills`). */
  drills: DrillRunner;
  /** The compliance report (`/vault report`) and its upload to the ops channel. */
  reports: ReportService;
  /** The alert lifecycle: `/vault alerts`, the Acknowledge button, `/vault status`. */
  alerts: AlertEngine;
  /** The health job: its last round for `/vault status`. */
  health: HealthMonitor;
  /** Rotation: ROTATION_RULES, rekey settings, the nodes, the backup-key planner. */
  rotation: RotationServices;
  /** Ops-channel notifications that could not be delivered, for `/vault status` (issue 7 item 3). */
  notifications?: { readonly undeliveredCount: number; undelivered(limit?: number): Array<{ summary: string; failedAt: string }> };
}

/** Who asked, from where. Opaque Slack ids. */
export interface Asker {
  userId: string;
  teamId: string;
  channelId: string;
}

/** Shows a message to the asker only (ephemeral). Never throws. */
export type Reply = (message: SlackMessage) => Promise<void>;
