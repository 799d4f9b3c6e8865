/**
 * @module bot/app
 * Builds the Bolt `App`: Socket Mode when an app token is given, otherwise the HTTP receiver at
 * Bolt's default `/slack/events` (slash commands and interactivity both). Either way `/healthz`
 * and `/metrics` are served on `port`. Every edge is an option with a production default, so
 * tests point the Web API at the fake and shorten retries without touching this file.
 */
import { App, SocketModeReceiver, type webApi } from '@slack/bolt';
import type { Logger } from '../core/logger.js';
import { boltLogger } from './bolt-logger.js';
import { healthRoutes, type HealthProbes } from './health-routes.js';
import { summariseSlackError } from './slack-errors.js';

export type ReceiverKind = 'socket' | 'http';

export interface BotAppOptions {
  botToken: string;
  /** Bot identity from `auth.test`; given here so Bolt does not call it again. */
  botId: string;
  botUserId: string;
  /** SLACK_APP_TOKEN; its presence picks Socket Mode unless `receiver` says otherwise. */
  appToken?: string;
  /** SLACK_SIGNING_SECRET; required by the HTTP receiver. */
  signingSecret?: string;
  /** Default: `socket` when `appToken` is set, else `http`. */
  receiver?: ReceiverKind;
  /** SLACK_API_URL; default Slack's. */
  slackApiUrl?: string;
  /** Merged over the Web API client defaults (tests: `retryConfig: {retries: 0}`). */
  clientOptions?: webApi.WebClientOptions;
  /** PORT: the HTTP receiver's port, and in Socket Mode the port of `/healthz` and `/metrics`. */
  port: number;
  /** Hold the HTTP answer until listeners finish (FaaS, deterministic tests). Default false. */
  processBeforeResponse?: boolean;
  /** Socket Mode client tuning; tests shorten the reconnect wait. */
  socketMode?: SocketModeTuning;
  health: HealthProbes;
  logger: Logger;
}

export interface SocketModeTuning {
  /**
   * @slack/socket-mode's pong deadline, which is also how long it waits before reconnecting after
   * Slack's `disconnect` (default 5000 ms). Tests pass 2 s so a forced refresh reconnects quickly.
   */
  clientPingTimeoutMs?: number;
}

/**
 * The Web API client's retries: a few within seconds, not the library's default of ten over about
 * 30 minutes, which held every caller (a page inside the backup queue, a thread update) that long
 * during a Slack outage. Ops-channel notifications have their own client and background retry.
 */
export const BOUNDED_RETRIES: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 1000, maxTimeout: 8000, randomize: true };

/**
 * Each Web API request's bound (the client's default is none): a Slack API that accepts the
 * connection and never answers fails the call, and its retry, instead of holding the caller for ever.
 */
export const SLACK_REQUEST_TIMEOUT_MS = 15_000;

export function createBoltApp(o: BotAppOptions): App {
  const { botToken, botId, botUserId, appToken, signingSecret, slackApiUrl, logger } = o;
  const receiver: ReceiverKind = o.receiver ?? (appToken ? 'socket' : 'http');
  // A fresh object: Bolt writes its logger into the client options it is given.
  const clientOptions: webApi.WebClientOptions = { retryConfig: BOUNDED_RETRIES, timeout: SLACK_REQUEST_TIMEOUT_MS, ...(slackApiUrl ? { slackApiUrl } : {}), ...o.clientOptions };
  const common = {
    token: botToken,
    botId,
    botUserId,
    logger: boltLogger(logger),
    clientOptions,
    customRoutes: healthRoutes(o.health),
    // No conversation-state middleware: the bot keeps its state in SQLite, not in Bolt.
    convoStore: false as const,
  };
  let app: App;
  if (receiver === 'socket') {
    if (!appToken) throw new Error('Socket Mode needs SLACK_APP_TOKEN (xapp-…); unset it to use the HTTP receiver instead.');
    // Socket Mode serves custom routes on its own small HTTP server, on the installer's port. The
    // receiver is built here, as Bolt would build it, so its client can be tuned; `apps.connections.open`
    // goes through the same clientOptions (SLACK_API_URL) as every other call. A copy: the Socket
    // Mode client writes its own retry policy into the object it gets, which must not reach app.client.
    const receiverForSocket = new SocketModeReceiver({
      appToken,
      logger: common.logger,
      customRoutes: common.customRoutes,
      installerOptions: { port: o.port, clientOptions: { ...clientOptions } },
      ...(o.socketMode?.clientPingTimeoutMs !== undefined && { clientPingTimeout: o.socketMode.clientPingTimeoutMs }),
    });
    const { customRoutes: _servedByReceiver, ...rest } = common;
    app = new App({ ...rest, socketMode: true, appToken, receiver: receiverForSocket });
  } else {
    if (!signingSecret) throw new Error('The HTTP receiver needs SLACK_SIGNING_SECRET (app settings → Basic Information → Signing Secret).');
    app = new App({ ...common, signingSecret, port: o.port, processBeforeResponse: o.processBeforeResponse ?? false });
  }
  // After the ack nobody waits for an answer: log one line, the detail at debug, and swallow.
  app.error(async (error) => {
    const { code, detail } = summariseSlackError(error.original ?? error);
    logger.error({ code: error.code, cause: code }, `slack listener failed: ${detail}`);
    logger.debug({ err: error }, 'slack listener error detail');
  });
  return app;
}
