/**
 * @module bot/slack-errors
 * What a failed Web API call was, in two words for a log line: the Slack error code (`ratelimited`,
 * `message_not_found`…) or the HTTP status, never the request body (it may hold a token).
 */

export interface SlackErrorSummary {
  /** The client's error class code, e.g. `slack_webapi_platform_error`. */
  code: string;
  /** Slack's `error` field, the HTTP status, or the message. */
  detail: string;
}

export function summariseSlackError(error: unknown): SlackErrorSummary {
  const e = error as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown; retryAfter?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'unknown';
  if (typeof e?.data?.error === 'string') return { code, detail: e.data.error };
  if (typeof e?.retryAfter === 'number') return { code, detail: `ratelimited (retry after ${e.retryAfter} s)` };
  if (typeof e?.statusCode === 'number') return { code, detail: `HTTP ${e.statusCode}` };
  return { code, detail: typeof e?.message === 'string' ? e.message.slice(0, 200) : String(error).slice(0, 200) };
}
