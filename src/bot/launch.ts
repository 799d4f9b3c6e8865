/**
 * @module bot/launch
 * Puts the running bot together from the validated configuration: audit log, Slack notifier,
 * backup engine, approval engine with its two gated actions, handlers, start-up recovery,
 * scheduler, expiry sweep and the Bolt receiver. `start.ts` adds signals; tests call this
 * directly with their seams (fake Slack URL, clock, port 0, a folder store).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { App, webApi } from '@slack/bolt';
import { restoreAction, sealAction } from '../core/actions/index.js';
import { restoreProgressInThread } from './restore-progress.js';
import { ApprovalEngine } from '../core/approvals/index.js';
import { AuditLog } from '../core/audit/index.js';
import { BackupEngine } from '../core/backup-engine.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Config } from '../core/config/index.js';
import type { Database } from '../core/db/index.js';
import { asCoreError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { startScheduler, type ScheduledJob, type Scheduler } from '../core/scheduler.js';
import type { BackupStore } from '../core/store/backup-store.js';
import type { HandlerDeps } from '../handlers/deps.js';
import { createBoltApp, type ReceiverKind, type SocketModeTuning } from './app.js';
import { ApprovalMessenger } from './approval-messenger.js';
import { BackgroundWork } from './background-work.js';
import { reportInterrupted, resumeApproved, startExpirySweep, sweepExpired, SWEEP_INTERVAL_MS } from './approval-upkeep.js';
import { SlackApproverDirectory } from './approver-directory.js';
import type { AlertEngine } from '../core/alerts/index.js';
import type { HealthMonitor } from '../core/health/index.js';
import { probeDatabaseWrite, schedulerStall, stallAfterMsFor } from '../core/health/liveness.js';
import { bindMetricSources } from '../metrics/series.js';
import { wireAlerts } from './alert-wiring.js';
import { changeEvents } from '../core/pagerduty/index.js';
import { metricSourcesFor } from './metrics-notifier.js';
import { startDefaultMetrics, watchNotifications } from './metrics.js';
import { registerHandlers } from './register-handlers.js';
import { wireRotation } from './rotation-wiring.js';
import { wireRecoverability } from './recoverability-wiring.js';
import { waitForSlackIdentity, type SlackIdentity, type SlackStartupOptions } from './slack-identity.js';
import { startInterimHealth, type InterimHealth } from './startup-health.js';
import { createNotificationDelivery, type NotificationDeliveryOptions } from './notification-delivery.js';
import type { Notifier } from '../core/notifier.js';
import { DeliveryQueue } from '../core/notify/delivery-queue.js';
import { socketModeStartError } from './socket-mode-start.js';

export interface LaunchOptions {
  config: Config;
  logger: Logger;
  db: Database;
  clock?: Clock;
  /** Overrides `config.port`; tests pass 0 for an ephemeral port. */
  port?: number;
  /** Default: Socket Mode when SLACK_APP_TOKEN is set. */
  receiver?: ReceiverKind;
  /** Merged over the Web API client defaults (tests: `retryConfig: {retries: 0}`). */
  clientOptions?: webApi.WebClientOptions;
  processBeforeResponse?: boolean;
  /** Socket Mode client tuning (tests: a short reconnect wait). */
  socketMode?: SocketModeTuning;
  /** A store built elsewhere (tests); default from BACKUP_STORE. */
  store?: BackupStore;
  /** Start the cron jobs (default true) and the start-up catch-up backup (default true). */
  schedule?: boolean;
  catchUp?: boolean;
  sweepIntervalMs?: number;
  /** How long `stop()` waits for running actions and backups (default 25 s). */
  stopGraceMs?: number;
  /** How often rekey and unseal follow-ups poll Vault (default 5 s; tests: a few ms). */
  followPollMs?: number;
  /** PagerDuty retry waits and health-check bound (tests shorten them). */
  alerting?: { pagerDutyRetryDelaysMs?: readonly number[]; checkTimeoutMs?: number; slackTimeoutMs?: number };
  /** Draws approval request ids (tests). */
  newRequestId?: () => string;
  /** Waiting for Slack at start-up (tests shorten it); `onHealthz` gets the port of the interim /healthz. */
  slackStartup?: SlackStartupOptions & { onHealthz?: (port: number) => void };
  /** Bounds of the background retry of ops-channel notifications (tests shorten them). */
  notificationRetry?: NotificationDeliveryOptions['retry'];
  /** At most one restore progress line per this many ms in the request's thread (default 5 s; tests shorten it). */
  restoreProgressIntervalMs?: number;
}

export interface RunningBot {
  app: App;
  /** The HTTP receiver's port (HTTP mode). */
  port: number | undefined;
  /** `http://127.0.0.1:<port>/slack/events` in HTTP mode. */
  eventsUrl: string | undefined;
  deps: HandlerDeps;
  backups: BackupEngine;
  approvals: ApprovalEngine;
  /** The alert lifecycle (tests read and drive it). */
  alerts: AlertEngine;
  /** The health job; `tick()` runs one round now (tests drive it with their clock). */
  health: HealthMonitor;
  /** Ops-channel notifications, delivered in the background (pending and undelivered counts). */
  notifications: DeliveryQueue;
  /** Resolves once every notification and alert queued so far was posted or given up on (tests). */
  notificationsIdle(): Promise<void>;
  /** One expiry sweep now (tests drive it with their clock). */
  sweep(): Promise<number>;
  /** The cron jobs as scheduled (tests run one by name, e.g. the weekly `restore-test`). */
  jobs: ScheduledJob[];
  stop(): Promise<void>;
}

const VAULT_RETRY_MS = 60_000;
/** Within a container's usual stop timeout (Docker 10 s, Kubernetes 30 s) minus start-up slack. */
const STOP_GRACE_MS = 25_000;

export async function launchBot(o: LaunchOptions): Promise<RunningBot> {
  const { config, db } = o;
  const clock = o.clock ?? systemClock;
  const logger = o.logger.child({ component: 'bot' });
  const slack = config.slack;
  const clientOptions: webApi.WebClientOptions = { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), ...o.clientOptions };
  // Slack unreachable at start-up: /healthz answers 503 meanwhile, and one clear line after a bounded wait.
  let interim: InterimHealth | undefined;
  let identity: SlackIdentity;
  try {
    identity = await waitForSlackIdentity(slack.botToken, { ...clientOptions }, {
      logger,
      ...o.slackStartup,
      onWaiting: async (reason) => {
        interim = await startInterimHealth(o.port ?? config.port, reason).catch((error: unknown) => {
          logger.warn({ err: error }, 'could not serve /healthz while waiting for Slack');
          return undefined;
        });
        if (interim) o.slackStartup?.onHealthz?.(interim.port);
      },
    });
  } finally {
    await interim?.close();
  }

  const audit = new AuditLog(db, { key: config.auditKey, clock });
  let backups: BackupEngine | undefined;
  let health: HealthMonitor | undefined;
  const startedAt = clock();
  const stallAfterMs = stallAfterMsFor(config.schedule.healthCron);
  const app = createBoltApp({
    botToken: slack.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    appToken: slack.appToken,
    signingSecret: slack.signingSecret,
    receiver: o.receiver,
    processBeforeResponse: o.processBeforeResponse,
    socketMode: o.socketMode,
    port: o.port ?? config.port,
    clientOptions,
    logger,
    health: {
      database: () => probeDatabaseWrite(db, clock()),
      scheduler: () => (o.schedule === false ? undefined : schedulerStall(health?.lastFinishedAt(), startedAt, clock(), stallAfterMs)),
      vault: () => vaultProbe(backups),
    },
  });

  // Off the work path: pages and reports are retried in the background, never inside a backup (issue 7 item 3).
  const notifier = createNotificationDelivery({
    botToken: slack.botToken, clientOptions, channel: slack.opsChannel, ...(slack.oncallGroup ? { oncallGroup: slack.oncallGroup } : {}),
    logger, db, clock, ...(o.notificationRetry ? { retry: o.notificationRetry } : {}),
  });
  watchNotifications(notifier);
  const alerting = wireAlerts({ config, db, audit, logger, clock, client: app.client, clientOptions, teamId: identity.teamId, ...o.alerting });
  // The alert path posts through app.client; it runs off the work path too, so a Slack outage never holds a backup (issue 7 item 3).
  const offWorkPath = new DeliveryQueue(alerting.wrap(notifier), { logger: logger.child({ component: 'alert-delivery' }), maxAttempts: 1, ordered: true });
  backups = new BackupEngine({ config, db, audit, logger, notifier: offWorkPath, clock, store: o.store });
  const healthMonitor = alerting.monitor(backups);
  health = healthMonitor;
  const directory = new SlackApproverDirectory({ client: app.client, approvers: slack.approvers, approverGroup: slack.approverGroup, clock });
  const approvals = new ApprovalEngine({ db, audit, directory, teamId: identity.teamId, clock, logger, newId: o.newRequestId });
  const rotation = wireRotation({ config, backups, audit, logger, clock, db, messenger: () => messenger, ...(o.followPollMs ? { pollMs: o.followPollMs } : {}) });
  rotation.register(approvals);
  const recoverability = wireRecoverability({ config, db, audit, logger, clock, backups, client: app.client, notifier: offWorkPath, messenger: () => messenger, changeEvents, rotationRules: rotation.services.rules });
  recoverability.register(approvals);
  approvals.register(restoreAction(backups, recoverability.estimates, restoreProgressInThread(() => messenger, o.restoreProgressIntervalMs)));
  approvals.register(rotation.followSeal(sealAction(backups.vault, { ...(config.vault.nodeAddrs ? { nodeAddrs: config.vault.nodeAddrs } : {}) })));
  const messenger = new ApprovalMessenger({ client: app.client, channel: slack.opsChannel, requests: approvals, logger });
  const work = new BackgroundWork();
  const deps: HandlerDeps = { backups, approvals, audit, messenger, opsChannel: slack.opsChannel, logger, clock, work, alerts: alerting.alerts, health: healthMonitor, rotation: rotation.services, drills: recoverability.drills, reports: recoverability.reports };
  deps.notifications = notifier;
  registerHandlers(app, deps);

  const stopVaultRetry = await startBackupEngine(backups, notifier, logger);
  await reportInterrupted(deps);
  const socketMode = Boolean(slack.appToken) && o.receiver !== 'http';
  let started: unknown;
  try {
    started = await app.start();
  } catch (error) {
    // E.g. the port is taken, or Slack refused the app token: undo what was started (in Socket
    // Mode the /healthz server is already listening) so the process can exit and be restarted.
    stopVaultRetry();
    backups.stop();
    await app.stop().catch(() => {});
    throw socketMode ? socketModeStartError(error) : error;
  }
  // Timers only once the bot can be reached, so a failed start leaves nothing running.
  const jobs: ScheduledJob[] = [...backups.scheduledJobs().filter((j) => j.name !== 'restore-test'), ...recoverability.jobs(), healthMonitor.job(config.schedule.healthCron)];
  const scheduler: Scheduler | undefined = o.schedule === false ? undefined : startScheduler(jobs, logger);
  const stopSweep = startExpirySweep(approvals, messenger, logger, o.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
  startDefaultMetrics();
  bindMetricSources(metricSourcesFor({ backups, alerts: alerting.alerts, approvals, health: healthMonitor }));
  if (o.schedule !== false) void healthMonitor.tick().catch((error: unknown) => logger.error({ err: error }, 'the first health round failed'));
  const port = isServer(started) ? (started.address() as AddressInfo).port : undefined;
  logger.info({ team: identity.teamId, mode: socketMode ? 'socket' : 'http', port }, 'slack bot started');

  // In the background: a resumed restore or a catch-up backup takes minutes; commands are served meanwhile.
  void work.track(resumeApproved(deps)).catch((error: unknown) => logger.error({ err: error }, 'could not resume approved requests'));
  // Rekeys and unseals a restart cut off are followed again in their threads.
  rotation.resume();
  if (o.catchUp !== false) {
    void work.track(backups.catchUpIfStale()).catch((error: unknown) => logger.error({ err: error }, 'start-up catch-up backup failed'));
  }

  let stopped = false;
  return {
    app,
    port,
    eventsUrl: port === undefined ? undefined : `http://127.0.0.1:${port}/slack/events`,
    deps,
    backups,
    approvals,
    alerts: alerting.alerts,
    health: healthMonitor,
    notifications: notifier,
    notificationsIdle: async () => {
      await offWorkPath.idle();
      await notifier.idle();
    },
    sweep: () => sweepExpired(approvals, messenger, logger),
    jobs,
    async stop() {
      if (stopped) return;
      stopped = true;
      stopSweep();
      stopVaultRetry();
      await scheduler?.stop();
      await alerting.stop();
      await app.stop().catch((error: unknown) => logger.warn({ err: error }, 'the Slack receiver did not stop cleanly'));
      // No new events now. Let a running restore, seal or backup finish (a killed one is only
      // reported as interrupted at the next start), then the queued Slack updates.
      if (work.size > 0) logger.info({ running: work.size }, 'waiting for running actions before stopping');
      if (!(await work.drain(o.stopGraceMs ?? STOP_GRACE_MS))) logger.warn('running actions did not finish in time; they will be reported as interrupted');
      await rotation.followUps.stop();
      await messenger.idle();
      // Deliveries still retrying get a moment, then are recorded as undelivered.
      await offWorkPath.stop(2000);
      await notifier.stop(2000);
      deps.backups.stop();
      logger.info('slack bot stopped');
    },
  };
}

/**
 * Logs in to Vault. An unreachable Vault must not keep the bot down (it is how people learn of
 * the outage), so a failure is announced and retried every minute until it works.
 */
async function startBackupEngine(backups: BackupEngine, notifier: Notifier, logger: Logger): Promise<() => void> {
  try {
    await backups.start();
    return () => {};
  } catch (error) {
    const reason = asCoreError(error, 'Vault did not answer').userMessage;
    logger.error({ err: error }, `could not log in to Vault at start-up: ${reason}`);
    await notifier.info(`Could not log in to Vault at start-up (${reason}); backups and restores will fail until it answers. Retrying every minute.`);
  }
  const timer = setInterval(() => {
    backups.start().then(
      () => {
        clearInterval(timer);
        logger.info('logged in to Vault');
        void notifier.info('Logged in to Vault; backups and restores work again.');
      },
      (error: unknown) => logger.debug({ err: error }, 'Vault login retry failed'),
    );
  }, VAULT_RETRY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

async function vaultProbe(backups: BackupEngine | undefined): Promise<Record<string, unknown>> {
  if (!backups) return { reachable: false, reason: 'not started' };
  try {
    const h = await backups.vault.health();
    return { reachable: true, state: h.state, sealed: h.sealed, initialized: h.initialized, version: h.version, latencyMs: h.latencyMs };
  } catch (error) {
    return { reachable: false, reason: asCoreError(error, 'no answer').userMessage };
  }
}

function isServer(value: unknown): value is Server {
  return typeof value === 'object' && value !== null && typeof (value as Server).address === 'function';
}
