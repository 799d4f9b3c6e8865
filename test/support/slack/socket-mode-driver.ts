/**
 * @module socket-mode-driver The Slack driver (`createSlackDriver`) with Socket Mode as its
 * transport: the same slash commands and button clicks, built by the same payload builders, go
 * to the bot as envelopes over the WebSocket instead of signed HTTP posts (reference §5).
 *
 * Mapping to the driver's HTTP-shaped results: an envelope acked in time is status 200 with the
 * ack's payload as the body (a command's immediate reply; empty when the ack had none or the
 * envelope accepted none); an envelope that could not be delivered (no connection) is 503, which
 * the driver reports as `dispatch_failed`; one never acked is 504 after the wait, past the
 * deadline, which the driver reports as `operation_timeout`. Signing does not exist in Socket Mode,
 * so the driver's signing variants (`sendUnsigned`, …) prove nothing here.
 */
import { createSlackDriver, type SlackDriver, type SlackTransport } from './driver.js';
import type { FakeSlack } from './fake-slack.js';
import type { SocketModeServer } from './socket-mode-server.js';

export function socketModeTransport(server: SocketModeServer): SlackTransport {
  return async (body) => {
    const form = new URLSearchParams(body);
    const interactive = form.get('payload');
    const result =
      interactive !== null
        ? await server.send('interactive', JSON.parse(interactive) as Record<string, unknown>)
        : await server.send('slash_commands', Object.fromEntries(form));
    const status = !result.delivered ? 503 : result.acked ? 200 : 504;
    return {
      status,
      body: result.responsePayload ? JSON.stringify(result.responsePayload) : '',
      contentType: 'application/json; charset=utf-8',
    };
  };
}

/**
 * @example
 * const socket = await startSocketModeServer({ upstream: fake });
 * // launch the bot with SLACK_APP_TOKEN=socket.appToken, SLACK_API_URL=socket.apiUrl
 * const slack = createSocketModeDriver({ server: socket, fake });
 * const res = await slack.command({ userId: 'U0ALICE', text: 'help' });
 */
export function createSocketModeDriver(o: { server: SocketModeServer; fake: FakeSlack; ackDeadlineMs?: number }): SlackDriver {
  return createSlackDriver({
    botUrl: o.server.apiUrl,
    signingSecret: 'socket-mode-has-no-signing',
    fake: o.fake,
    transport: socketModeTransport(o.server),
    ...(o.ackDeadlineMs !== undefined && { ackDeadlineMs: o.ackDeadlineMs }),
  });
}
