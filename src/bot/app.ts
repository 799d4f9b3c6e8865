/**
 * @module bot/app
 * Builds the Bolt `App`: Socket Mode when an app token is given, otherwise the HTTP receiver at
 * Bolt's default `/slack/events` (slash commands and interactivity both). Either way `/healthz`
 * and `/metrics` are served on `port`. Every edge is an option with a production default, so
 * tests point the Web API at the fake and shorten retries without touching this file.
 */
import { App, type webApi } from '@slack/bolt';
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
  health: HealthProbes;
  logger: Logger;
}

export function createBoltApp(o: BotAppOptions): App {
  const { botToken, botId, botUserId, appToken, signingSecret, slackApiUrl, logger } = o;
  const receiver: ReceiverKind = o.receiver ?? (appToken ? 'socket' : 'http');
  // A fresh object: Bolt writes its logger into the client options it is given.
  const clientOptions: webApi.WebClientOptions = { ...(slackApiUrl ? { slackApiUrl } : {}), ...o.clientOptions };
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
    // Socket Mode serves custom routes on its own small HTTP server, on the installer's port.
    app = new App({ ...common, socketMode: true, appToken, port: o.port });
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
