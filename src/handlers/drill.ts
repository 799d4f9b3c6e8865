/**
 * @module handlers/drill
 * `/vault drill <scenario> [N]` opens the drill request (staging only, refused before a request
 * when staging or the scenario is missing); `/vault drills [N]` lists the history.
 */
import { noticeReply } from '../bot/blocks/command-replies.js';
import { renderDrillList } from '../bot/blocks/drill-messages.js';
import type { DrillParams } from '../core/actions/index.js';
import type { DrillScenario } from '../core/drills/index.js';
import type { Asker, HandlerDeps, Reply } from './deps.js';
import { openRequest } from './open-request.js';

export async function requestDrill(deps: HandlerDeps, asker: Asker, reply: Reply, scenario: DrillScenario, newest?: number): Promise<void> {
  const refused = deps.drills.refusal(scenario);
  const staging = deps.backups.stagingAddress;
  if (refused || !staging) {
    await reply(noticeReply(refused ?? 'No staging Vault is configured.', ':no_entry:'));
    return;
  }
  const params: DrillParams = { scenario, stagingAddress: staging, ...(newest ? { newest } : {}) };
  await openRequest(deps, asker, reply, { action: 'drill', params });
}

export function showDrills(deps: HandlerDeps, reply: Reply, limit: number): Promise<void> {
  return reply(renderDrillList(deps.drills.history.list(limit)));
}
