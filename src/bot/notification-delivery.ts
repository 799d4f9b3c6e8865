/**
 * @module bot/notification-delivery
 * The Slack side of "paging never holds up work" (issue 7 item 3): the ops-channel notifier gets
 * its own Web API client that never waits inside a call (no client retries, a 429 is returned at
 * once, a 10 s timeout), and is wrapped in the core's `DeliveryQueue`, which retries in the
 * background within bounds and records what could not be delivered. This module tells the queue
 * how to read Slack's errors: which are permanent, and how long a 429 asked us to wait.
 */
import { webApi } from '@slack/bolt';
import type { Database } from '../core/db/index.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { DeliveryQueue, type DeliveryOptions } from '../core/notify/delivery-queue.js';
import { boltLogger } from './bolt-logger.js';
import { SlackNotifier } from './slack-notifier.js';
import { summariseSlackError } from './slack-errors.js';

/** Slack error codes that retrying cannot fix (configuration or message problems). */
const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'not_authed', 'account_inactive', 'token_revoked',
  'token_expired', 'missing_scope', 'no_permission', 'invalid_blocks', 'msg_blocks_too_long', 'no_text', 'restricted_action',
]);

export interface NotificationDeliveryOptions {
  botToken: string;
  clientOptions: webApi.WebClientOptions;
  channel: string;
  oncallGroup?: string;
  logger: Logger;
  db: Database;
  clock: Clock;
  /** Overrides of the retry bounds (tests shorten them). */
  retry?: Partial<Pick<DeliveryOptions, 'maxAttempts' | 'maxTotalMs' | 'firstDelayMs' | 'maxDelayMs'>>;
  /** Per-call timeout of the notifier's client; default 10 s. */
  timeoutMs?: number;
}

export function createNotificationDelivery(o: NotificationDeliveryOptions): DeliveryQueue {
  const client = new webApi.WebClient(o.botToken, {
    logger: boltLogger(o.logger),
    ...o.clientOptions,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: o.timeoutMs ?? 10_000,
  });
  const notifier = new SlackNotifier({ client, channel: o.channel, ...(o.oncallGroup ? { oncallGroup: o.oncallGroup } : {}), logger: o.logger });
  return new DeliveryQueue(notifier, {
    logger: o.logger.child({ component: 'notification-delivery' }),
    db: o.db,
    clock: o.clock,
    ...o.retry,
    isPermanent: (error) => {
      const e = error as { code?: unknown; data?: { error?: unknown } };
      return e?.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string' && PERMANENT.has(e.data.error);
    },
    retryAfterMs: (error) => {
      const after = (error as { retryAfter?: unknown })?.retryAfter;
      return typeof after === 'number' ? after * 1000 : undefined;
    },
    describeError: (error) => summariseSlackError(error).detail,
  });
}
