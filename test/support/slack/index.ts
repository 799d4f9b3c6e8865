/**
 * @module slack-harness Drives the real Bolt app over HTTP as Slack does, against a fake Web API.
 *
 * Wiring a test (reference /work/shared/reference/slack-api.md §4, §5, §9):
 *
 * ```ts
 * const fake = await startFakeSlack({ usergroups: { S0APPROVERS: ['U0ALICE', 'U0BOB', 'U0CAROL'] } });
 * const app = new App({
 *   token: fake.botToken,
 *   signingSecret: SECRET,
 *   processBeforeResponse: true,
 *   clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
 * });
 * const server = await app.start(0);                       // HTTPReceiver on an ephemeral port
 * const botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
 * const slack = createSlackDriver({ botUrl, signingSecret: SECRET, fake });
 * ```
 *
 * - `retryConfig: { retries: 0 }`: the client's default policy retries 5xx for ~30 min; with no
 *   retries an injected fault surfaces at once. Add `rejectRateLimitedCalls: true` where a test
 *   asserts on a 429; otherwise the client pauses for `Retry-After` seconds and retries.
 * - `processBeforeResponse: true` makes Bolt hold the HTTP answer until every listener finished,
 *   so when `slack.command()` resolves the handler's Web API calls are in `fake.calls`: no polling.
 *   The cost, in tests as in production: a listener slower than 3 s shows `operation_timeout`
 *   even though it acked early (the driver flags it). With `false` (Bolt's default and the usual
 *   production choice outside FaaS) the answer goes out at `ack()`; then await side effects with
 *   `fake.waitForCall(method, predicate)`.
 * - Bolt calls `auth.test` while the App is constructed (token verification), unless both `botId`
 *   and `botUserId` are given; the fake answers it with `fake.botUserId` / `fake.botId`.
 * - `respond()` posts to the response_url the driver minted on the fake (`fake.responses(url)`);
 *   Bolt does not check its host.
 */
export { LIMITS, validateBlocks, validateView } from './block-kit.js';
export { ACK_DEADLINE_MS, createSlackDriver } from './driver.js';
export type {
  ActionResult,
  ClickInput,
  CommandInput,
  CommandResult,
  DeliveryError,
  SendOptions,
  SlackDriver,
  SlackDriverOptions,
  SlackRequestResult,
} from './driver.js';
export { DEFAULT_USERS, startFakeSlack } from './fake-slack.js';
export type { FakeSlack } from './fake-slack.js';
export { renderMrkdwn, renderText } from './render-text.js';
export { computeSignature, signatureHeaders } from './signing.js';
export type * from './types.js';
