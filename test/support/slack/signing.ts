/**
 * @module signing Slack's request signature (reference §1): HMAC-SHA256 over
 * `v0:<timestamp>:<exact body>` keyed with the signing secret, sent as `X-Slack-Signature: v0=<hex>`
 * with `X-Slack-Request-Timestamp` in whole Unix seconds. A pure function with the time passed in,
 * so negative cases (stale, wrong secret) are just different inputs.
 */
import { createHmac } from 'node:crypto';

/** `v0=` + lowercase hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function computeSignature(signingSecret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

/** The two headers Slack adds to every request it sends to the app. */
export function signatureHeaders(signingSecret: string, timestampSec: number, body: string): Record<string, string> {
  return {
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': computeSignature(signingSecret, timestampSec, body),
  };
}
