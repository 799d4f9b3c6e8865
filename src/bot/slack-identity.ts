/**
 * @module bot/slack-identity
 * Who the bot is in Slack (`auth.test`): its workspace (the only team whose clicks count), its bot
 * and user ids. Asked once at start-up, so a wrong token stops the process with one clear line.
 */
import { webApi } from '@slack/bolt';
import { CoreError, ErrorCode } from '../core/errors.js';

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
