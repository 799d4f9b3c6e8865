/**
 * @module restore/target-names
 * The names people type for a restore target, the same in Slack and on the command line:
 * `prod` or `production` for the production Vault, `staging` for the staging one (any case).
 */
import type { RestoreTargetName } from './restore-plan.js';

export const TARGET_WORDS: Readonly<Record<string, RestoreTargetName>> = { prod: 'prod', production: 'prod', staging: 'staging' };

/** `production` → `prod`; an unknown word → undefined. */
export function parseTargetName(word: string): RestoreTargetName | undefined {
  return Object.hasOwn(TARGET_WORDS, word.toLowerCase()) ? TARGET_WORDS[word.toLowerCase()] : undefined;
}
