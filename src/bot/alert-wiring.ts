/**
 * @module bot/alert-wiring
 * Puts the alerting together from the configuration: the alert engine (Slack messages, on-call
 * mention, Acknowledge authorised by the approver directory), PagerDuty when
 * PAGERDUTY_ROUTING_KEY is set (alert pager and change events), the backup-failure path through
 * the engine, and the health job over the production Vault and the backup store.
 */
import { webApi } from '@slack/bolt';
import { boltLogger } from './bolt-logger.js';
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
import { alertWebClientOptions, SlackAlertNotifier } from './slack-alert-notifier.js';

export interface AlertWiringOptions {
  config: Config;
  db: Database;
  audit: AuditTrail;
  logger: Logger;
  clock: Clock;
  client: webApi.WebClient;
  /** The Web API options of `client` (SLACK_API_URL…); the alert path gets its own bounded client from them. */
  clientOptions?: webApi.WebClientOptions;
  /** Bound on each alert Slack call (default 12 s; tests shorten it). */
  slackTimeoutMs?: number;
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
  let catalogue: BackupEngine['catalogue'] | undefined;
  // Its own client: every call bounded and a 429 not waited out, so a hung or rate-limiting Slack
  // leaves the alert owed for the next round instead of holding the engine (and every round) behind it.
  const alertClient = new webApi.WebClient(slack.botToken, {
    ...alertWebClientOptions({ ...(o.clientOptions ?? { slackApiUrl: o.client.slackApiUrl }) }, o.slackTimeoutMs),
    logger: boltLogger(logger),
  });
  const alerts = new AlertEngine({
    db: o.db, audit: o.audit, logger, clock: o.clock,
    notifier: new SlackAlertNotifier({
      client: alertClient, channel: slack.opsChannel, ...(slack.oncallGroup ? { oncallGroup: slack.oncallGroup } : {}), logger, clock: o.clock,
      ...(o.slackTimeoutMs ? { timeoutMs: o.slackTimeoutMs } : {}),
    }),
    afterFailures: config.alertAfterFailures,
    remindMinutes: config.alertRemindMinutes,
    ...(pagerduty ? { pager: new PagerDutyAlertPager({ client: pagerduty, cluster }) } : {}),
    directory: new SlackApproverDirectory({ client: o.client, approvers: slack.approvers, ...(slack.approverGroup ? { approverGroup: slack.approverGroup } : {}), clock: o.clock }),
    teamId: o.teamId,
  });
  return {
    alerts,
    pagerduty,
    // The catalogue exists only once the backup engine is built (after this wrapper): bound in monitor().
    wrap: (notifier) => new MetricsNotifier(new AlertingNotifier(notifier, alerts, logger, () => catalogue)),
    monitor: (backups) => {
      catalogue = backups.catalogue;
      monitor = new HealthMonitor({
        engine: alerts,
        logger,
        clock: o.clock,
        round: () =>
          runHealthRound({
            vault: backups.vault, nodes, store: backups.store, catalogue: backups.catalogue, clock: o.clock, latencyWarnMs: config.latencyWarnMs,
            ...(o.checkTimeoutMs ? { timeoutMs: o.checkTimeoutMs } : {}),
          }),
      });
      return monitor;
    },
    async stop() {
      await monitor?.idle();
      await alerts.idle();
      pagerduty?.stop();
      for (const node of nodes) node.stop();
      changeEvents.use(undefined);
    },
  };
}
