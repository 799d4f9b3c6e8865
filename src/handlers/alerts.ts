/** @module handlers/alerts `/vault alerts`: firing and recently resolved alerts, from the alert engine. */
import { renderAlertList } from '../bot/blocks/alerts-list.js';
import type { HandlerDeps, Reply } from './deps.js';

export function showAlerts(deps: HandlerDeps, reply: Reply): Promise<void> {
  return reply(renderAlertList(deps.alerts.firing(), deps.alerts.recentlyResolved(24), deps.clock()));
}
