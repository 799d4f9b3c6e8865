/**
 * @module bot/slack-identity
 * Who the bot is in Slack (`auth.test`): its workspace (the only team whose clicks count), its bot
 * and user ids. Asked once at start-up, so a wrong token stops the process with one clear line.
 *
 * When Slack cannot be reached at start-up (network, proxy, DNS, Slack down), `waitForSlackIdentity`
 * keeps asking without the client's own half-hour retries: after a bounded wait it logs one clear
 * line saying what is wrong, then keeps trying less often; `onWaiting` lets the caller serve an
 * unhealthy `/healthz` meanwhile. A token Slack refuses still stops the process at once.
 */
import { webApi } from '@slack/bolt';
import { CoreError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { boltLogger } from './bolt-logger.js';
import { summariseSlackError } from './slack-errors.js';

export interface SlackIdentity {
  teamId: string;
  botId: string;
  botUserId: string;
}

export async function fetchSlackIdentity(botToken: string, clientOptions: webApi.WebClientOptions): Promise<SlackIdentity> {
  const client = new webApi.WebClient(botToken, clientOptions);
  let answer: webApi.AuthTestResponse;
  try {
    answer = await client.auth.test();
  } catch (error) {
    const code = (error as { data?: { error?: unknown } }).data?.error;
    const why = typeof code === 'string' ? `Slack answered ${code}` : 'Slack could not be reached';
    throw new CoreError(ErrorCode.ConfigInvalid, `Could not check SLACK_BOT_TOKEN (${why}); use the app's Bot User OAuth Token (xoxb-…) from OAuth & Permissions.`, { cause: error });
  }
  const { team_id: teamId, bot_id: botId, user_id: botUserId } = answer;
  if (!teamId || !botId || !botUserId) {
    throw new CoreError(ErrorCode.ConfigInvalid, 'SLACK_BOT_TOKEN is not a bot token (auth.test named no bot); use the Bot User OAuth Token (xoxb-…).');
  }
  return { teamId, botId, botUserId };
}

export interface SlackStartupOptions {
  /** How long to keep trying before saying clearly that Slack cannot be reached; default 30 s. */
  waitMs?: number;
  /** Pause between tries during that wait; default 2 s. */
  retryMs?: number;
  /** Pause between tries after it; default 30 s. */
  laterRetryMs?: number;
  /** Per-try timeout; default 10 s. */
  timeoutMs?: number;
  /** Stops the waiting (the process is shutting down); the start then fails. */
  signal?: AbortSignal;
}

export interface WaitForSlackOptions extends SlackStartupOptions {
  logger: Logger;
  /** Called once, at the first failed try, with a getter for the current reason. */
  onWaiting?: (reason: () => string) => Promise<void> | void;
}

/** `auth.test` until Slack answers; a platform refusal (bad token) is thrown at once. */
export async function waitForSlackIdentity(botToken: string, clientOptions: webApi.WebClientOptions, o: WaitForSlackOptions): Promise<SlackIdentity> {
  const waitMs = o.waitMs ?? 30_000;
  // The client's own per-try warnings go to our log (JSON, debug for this client), not the console.
  const options: webApi.WebClientOptions = {
    logger: boltLogger(o.logger.child({ component: 'slack-startup' })),
    ...clientOptions,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: o.timeoutMs ?? 10_000,
  };
  const started = Date.now();
  let reason = '';
  let said = false;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fetchSlackIdentity(botToken, options);
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      const platform = (cause as { code?: unknown })?.code === 'slack_webapi_platform_error';
      if (platform) throw error;
      reason = summariseSlackError(cause ?? error).detail;
      if (attempt === 1) await o.onWaiting?.(() => reason);
    }
    const waited = Date.now() - started;
    if (!said && waited >= waitMs) {
      said = true;
      const where = clientOptions.slackApiUrl ?? 'https://slack.com/api/';
      o.logger.error(
        { slackApiUrl: where, reason },
        `Slack's Web API (${where}) has not answered for ${Math.round(waited / 1000)} s (${reason}); check outbound HTTPS to slack.com (proxy, firewall, DNS) or SLACK_API_URL. Still trying every ${Math.round((o.laterRetryMs ?? 30_000) / 1000)} s; /healthz answers 503 until Slack answers.`,
      );
    }
    const pause = said ? (o.laterRetryMs ?? 30_000) : Math.min(o.retryMs ?? 2000, Math.max(1, waitMs - waited));
    await new Promise<void>((resolve, reject) => {
      if (o.signal?.aborted) return reject(new CoreError(ErrorCode.Internal, 'Stopped while waiting for Slack.'));
      const timer = setTimeout(resolve, pause);
      o.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new CoreError(ErrorCode.Internal, 'Stopped while waiting for Slack.'));
      }, { once: true });
    });
  }
}
