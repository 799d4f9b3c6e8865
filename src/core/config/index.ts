/** @module config The validated environment (DESIGN §3): `loadConfig` and its types. */
export { loadConfig, DEFAULTS } from './load-config.js';
export { KEY_BYTES } from './keyring.js';
export { VARIABLES, type VariableName } from './variables.js';
export type {
  BackupConfig, BackupKey, Config, ConfigFor, LoadConfigResult, LogLevel, Need, PagerDutyConfig,
  ScheduleConfig, SlackConfig, VaultConfig,
} from './types.js';
