/**
 * @module bot/socket-mode-start
 * Why Socket Mode could not start, in one line naming SLACK_APP_TOKEN: `apps.connections.open`
 * refused the app-level token (`invalid_auth`, `not_authed`, `not_allowed_token_type`, …) or Slack
 * could not be reached. The Socket Mode client gives up at once on these (no reconnect loop), so
 * the process stops with this line instead of Bolt's "An API error occurred".
 */
import { CoreError, ErrorCode } from '../core/errors.js';
import { summariseSlackError } from './slack-errors.js';

export function socketModeStartError(error: unknown): CoreError {
  const { code, detail } = summariseSlackError(error);
  if (code === 'slack_webapi_platform_error') {
    return new CoreError(
      ErrorCode.ConfigInvalid,
      `Could not open a Socket Mode connection with SLACK_APP_TOKEN (Slack answered ${detail}); use an app-level token (xapp-…) with the connections:write scope from Basic Information → App-Level Tokens, or unset SLACK_APP_TOKEN to use HTTP mode.`,
      { cause: error },
    );
  }
  return new CoreError(ErrorCode.ConfigInvalid, `Could not open a Socket Mode connection with SLACK_APP_TOKEN (${detail}); check that Slack (or SLACK_API_URL) can be reached.`, { cause: error });
}
