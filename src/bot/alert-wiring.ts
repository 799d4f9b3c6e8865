/**
 * @module bot/alert-wiring
 * Puts the alerting together from the configuration: the alert engine (Slack messages, on-call
 * mention, Acknowledge authorised by the approver directory), PagerDuty when
 * PAGERDUTY_ROUTING_KEY is set (alert pager and change events), the backup-failure path through
 * the engine, and the health job over the production Vault and the backup store.
 */
import type { webApi } from '@slack/bolt';
import { AlertEngine, AlertingNotifier } from '../core/alerts/index.js';
import type { AuditTrail } from '../core/audit/types.js';
import type { BackupEngine } from '../core/backup-engine.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config/index.js';
import type { Database } from '../core/db/index.js';
import { HealthMonitor, runHealthRound } from '../core/health/index.js';
import { nodeClients } from '../core/health/node-clients.js';
import type { Logger } from '../core/logger.js';
import type { Notifier } from '../core/notifier.js';
import { changeEvents, clusterOf, PagerDutyAlertPager, PagerDutyClient } from '../core/pagerduty/index.js';
import { SlackApproverDirectory } from './approver-directory.js';
import { MetricsNotifier } from './metrics-notifier.js';
import { SlackAlertNotifier } from './slack-alert-notifier.js';

export interface AlertWiringOptions {
  config: Config;
  db: Database;
  audit: AuditTrail;
  logger: Logger;
  clock: Clock;
  client: webApi.WebClient;
  teamId: string;
  /** PagerDuty retry waits (tests shorten them). */
  pagerDutyRetryDelaysMs?: readonly number[];
  /** Bound on each health check (default 5 s). */
  checkTimeoutMs?: number;
}

export interface AlertWiring {
  alerts: AlertEngine;
  pagerduty: PagerDutyClient | undefined;
  /** The backup engine's notifier: metrics, then failures through the alert engine. */
  wrap(notifier: Notifier): Notifier;
  /** The health job over the production Vault and the backup store. */
  monitor(backups: BackupEngine): HealthMonitor;
  stop(): Promise<void>;
}

export function wireAlerts(o: AlertWiringOptions): AlertWiring {
  const { config, logger } = o;
  const slack = config.slack;
  const cluster = clusterOf(config.vault.addr);
  const pagerduty = config.pagerduty
    ? new PagerDutyClient({ ...config.pagerduty, logger, ...(o.pagerDutyRetryDelaysMs ? { retryDelaysMs: o.pagerDutyRetryDelaysMs } : {}) })
    : undefined;
  changeEvents.use(pagerduty, cluster);
  // VAULT_NODE_ADDRS: each node is asked for its own health; a sealed standby is named.
  const nodes = nodeClients(config.vault, logger);
  let monitor: HealthMonitor | undefined;
  const alerts = new AlertEngine({
    db: o.db, audit: o.audit, logger, clock: o.clock,
    notifier: new SlackAlertNotifier({ client: o.client, channel: slack.opsChannel, ...(slack.oncallGroup ? { oncallGroup: slack.oncallGroup } : {}), logger, clock: o.clock }),
    afterFailures: config.alertAfterFailures,
    remindMinutes: config.alertRemindMinutes,
    ...(pagerduty ? { pager: new PagerDutyAlertPager({ client: pagerduty, cluster }) } : {}),
    directory: new SlackApproverDirectory({ client: o.client, approvers: slack.approvers, ...(slack.approverGroup ? { approverGroup: slack.approverGroup } : {}), clock: o.clock }),
    teamId: o.teamId,
  });
  return {
    alerts,
    pagerduty,
    wrap: (notifier) => new MetricsNotifier(new AlertingNotifier(notifier, alerts, logger)),
    monitor: (backups) =>
      (monitor = new HealthMonitor({
        engine: alerts,
        logger,
        clock: o.clock,
        round: () =>
          runHealthRound({
            vault: backups.vault, nodes, store: backups.store, catalogue: backups.catalogue, clock: o.clock, latencyWarnMs: config.latencyWarnMs,
            ...(o.checkTimeoutMs ? { timeoutMs: o.checkTimeoutMs } : {}),
          }),
      })),
    async stop() {
      await monitor?.idle();
      await alerts.idle();
      pagerduty?.stop();
      for (const node of nodes) node.stop();
      changeEvents.use(undefined);
    },
  };
}
