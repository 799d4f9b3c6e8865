/** @module alerts The alert lifecycle (DESIGN §8): public surface for the bot, the CLI and drills. */
export { AlertEngine, type AlertEngineOptions } from './engine.js';
export { AlertingNotifier } from './alerting-notifier.js';
export { ALERT_KEYS, ALERT_TITLES, FIRE_AT_ONCE, SEVERITIES, SEVERITY, isAlertKey, type AlertKey, type Severity } from './keys.js';
export type { CheckRecord } from './check-store.js';
export type * from './types.js';
