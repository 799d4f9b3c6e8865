/**
 * @module handlers/vault-command
 * The `/vault` slash command: acknowledge at once (Slack gives 3 s), parse, call the core, answer
 * the asker privately through `respond()`. Public posts (requests, backup results) go through the
 * bot's messenger and notifier, never as a reply to the command.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { noticeReply, usageReply } from '../bot/blocks/command-replies.js';
import { commandRefusalMessage } from '../core/approvals/index.js';
import { commandsTotal } from '../bot/metrics.js';
import { yieldAfterAck } from './ack-first.js';
import { startBackupNow } from './backup-now.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { ephemeralReply } from './ephemeral-reply.js';
import { showApprovals, showAudit, showBackups, showHelp, verifyAudit } from './lists.js';
import { openRequest } from './open-request.js';
import { parseVaultCommand, type UsageError, type VaultCommand } from './parse-command.js';
import { replyWithError } from './reply-error.js';
import { requestRestore, showRestorePicker } from './restore.js';
import { requestRecover } from './recover.js';
import { requestDrill, showDrills } from './drill.js';
import { postReport } from './report.js';
import { requestBackupKeyRotation, requestSecretRotation, requestUnsealKeyRotation, showUnsealStatus } from './rotate.js';
import { showStatus } from './status.js';
import { showAlerts } from './alerts.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export function vaultCommand(deps: HandlerDeps) {
  return async function onVaultCommand({ command, ack, respond }: CommandArgs): Promise<void> {
    await ack();
    await yieldAfterAck();
    const parsed = parseVaultCommand(command.text ?? '');
    commandsTotal.inc({ subcommand: parsed.name });
    const asker: Asker = { userId: command.user_id, teamId: command.team_id, channelId: command.channel_id };
    const log = deps.logger.child({ command: parsed.name, user: asker.userId });
    const reply = ephemeralReply(respond, log);
    try {
      if (!(await authorised(deps, parsed, asker, reply))) return;
      await dispatch(deps, parsed, asker, reply);
    } catch (error) {
      await replyWithError(reply, error, log, `/vault ${parsed.name}`);
    }
  };
}

/**
 * DESIGN §6: anything but `help` (and a usage hint, which runs nothing) needs an authorised user;
 * guests, bots and deactivated users are refused privately, and the refusal is audited.
 */
async function authorised(deps: HandlerDeps, cmd: VaultCommand | UsageError, asker: Asker, reply: Reply): Promise<boolean> {
  if (cmd.name === 'help' || cmd.name === 'usage') return true;
  const refusal = await deps.approvals.authorise({ userId: asker.userId, teamId: asker.teamId, command: cmd.name });
  if (refusal === undefined) return true;
  await reply(noticeReply(commandRefusalMessage(refusal), ':no_entry:'));
  return false;
}

function dispatch(deps: HandlerDeps, cmd: VaultCommand | UsageError, asker: Asker, reply: Reply): Promise<void> {
  switch (cmd.name) {
    case 'usage':
      return reply(usageReply(cmd.problem, cmd.usage));
    case 'help':
      return showHelp(reply);
    case 'status':
      return showStatus(deps, reply);
    case 'backups':
      return showBackups(deps, reply, cmd.kind, cmd.limit);
    case 'backup-now':
      return startBackupNow(deps, asker, reply, cmd.reason);
    case 'restore':
      return cmd.spec === undefined ? showRestorePicker(deps, reply, cmd.target) : requestRestore(deps, asker, reply, cmd.spec, cmd.target, cmd.force === true);
    case 'seal':
      return openRequest(deps, asker, reply, { action: 'seal', params: { address: deps.backups.vault.address }, ...(cmd.reason ? { reason: cmd.reason } : {}) });
    case 'approvals':
      return showApprovals(deps, reply);
    case 'alerts':
      return showAlerts(deps, reply);
    case 'audit':
      return showAudit(deps, reply, cmd.limit);
    case 'audit-verify':
      return verifyAudit(deps, reply);
    case 'recover':
      return requestRecover(deps, asker, reply, cmd.path, cmd.from);
    case 'drill':
      return requestDrill(deps, asker, reply, cmd.scenario, cmd.newest);
    case 'drills':
      return showDrills(deps, reply, cmd.limit);
    case 'report':
      return postReport(deps, asker, reply, cmd.from, cmd.to);
    case 'rotate-secret':
      return requestSecretRotation(deps, asker, reply, cmd.path);
    case 'rotate-unseal-keys':
      return requestUnsealKeyRotation(deps, asker, reply);
    case 'rotate-backup-key':
      return requestBackupKeyRotation(deps, asker, reply);
    case 'unseal-status':
      return showUnsealStatus(deps, reply);
  }
}
