/**
 * @module actions/restore-target
 * A restore needs an unsealed target: it first takes a verified safety snapshot of it, then posts
 * the backup. So the target's state is checked when the request is opened (nobody should approve
 * a restore that cannot run), and a target found sealed when the approved restore runs is named
 * as the cause, with what to do: unseal, then request again (DESIGN §6: approvals are not reused).
 */
import { asCoreError, CoreError, ErrorCode, isCoreError } from '../errors.js';
import type { VaultHealth } from '../vault/types.js';

/** Why no restore can be requested against this target now, or undefined when it is fine. */
export async function restoreTargetRefusal(health: () => Promise<VaultHealth>, targetName: string, address: string): Promise<string | undefined> {
  let h: VaultHealth;
  try {
    h = await health();
  } catch (error) {
    const reason = asCoreError(error, 'no answer').userMessage;
    return `The ${targetName} Vault at ${address} cannot be reached (${reason}), so no restore was requested: a restore first takes a safety snapshot of it. Request it again once it answers.`;
  }
  if (!h.initialized) return `The ${targetName} Vault at ${address} is not initialised, so no restore was requested. Initialise and unseal it, then request again.`;
  if (h.sealed) {
    return `The ${targetName} Vault at ${address} is sealed, so no restore was requested: a restore first takes a safety snapshot, which a sealed Vault cannot give. Unseal it with your key holders, then request the restore again.`;
  }
  return undefined;
}

/** The approved restore met a sealed target: say so, and that it must be requested again after unsealing. */
export function sealedTargetFailure(error: CoreError, step: string, targetName: string, address: string | undefined): CoreError {
  // The safety snapshot's failure arrives wrapped (RestoreRefused, its cause the sealed answer).
  const cause = (error as { cause?: unknown }).cause;
  if (!isCoreError(error, ErrorCode.VaultSealed) && !isCoreError(cause, ErrorCode.VaultSealed)) return error;
  const where = address ? ` at ${address}` : '';
  return new CoreError(
    ErrorCode.VaultSealed,
    `The ${targetName} Vault${where} was sealed when the approved restore ran (step ${step}), so nothing was restored. Unseal it with your key holders, then request the restore again; this approval cannot be reused.`,
    { cause: error },
  );
}
