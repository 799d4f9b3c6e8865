/**
 * @module config/warnings
 * Settings that are valid but weaker than they should be: one line each, printed at start-up.
 * They never stop the process (the problems in `load-config.ts` do).
 */
import type { VaultConfig } from './types.js';

export const CANARY_TOKEN_WARNING =
  'warning: VAULT_CANARY_TOKEN is not set, so the canary read after every restore (staging included) uses the bot\'s own production credentials; ' +
  'set it to a production token allowed only to read VAULT_CANARY_PATH';

/** One line per weak setting, for the start-up output. */
export function configWarnings(config: { vault?: VaultConfig }): string[] {
  const vault = config.vault;
  return [...(vault?.canaryPath !== undefined && vault.canaryToken === undefined ? [CANARY_TOKEN_WARNING] : [])];
}
