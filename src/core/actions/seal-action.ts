/**
 * @module actions/seal-action
 * The `seal` action for the approval engine: seal the production Vault, then prove it with
 * `sys/seal-status` instead of trusting the PUT's 204, because a standby node or a proxy can
 * answer the call without the cluster being sealed.
 */
import { CoreError, ErrorCode } from '../errors.js';
import type { ActionDefinition } from '../approvals/types.js';
import type { VaultSealStatus } from '../vault/types.js';

/** What a seal request freezes: which Vault. The reason travels as the request's own reason. */
export interface SealParams {
  address: string;
}

/** The two Vault calls this action needs; `VaultClient` satisfies it. */
export interface SealTarget {
  readonly address: string;
  seal(): Promise<void>;
  sealStatus(): Promise<VaultSealStatus>;
}

export const SEAL_APPROVALS = 2;
export const SEAL_TTL_MS = 15 * 60_000;

/** @example approvals.register(sealAction(backupEngine.vault)); */
export function sealAction(vault: SealTarget): ActionDefinition<SealParams> {
  return {
    name: 'seal',
    approvalsRequired: SEAL_APPROVALS,
    ttlMs: SEAL_TTL_MS,
    describe: ({ address }) => [
      { label: 'Vault', value: address },
      { label: 'Effect', value: 'every client is refused until key holders unseal it' },
    ],
    async execute({ address }) {
      if (address !== vault.address) {
        // The request froze another address (configuration changed since): do not seal something nobody approved.
        throw new CoreError(ErrorCode.ApprovalRefused, `This request was approved for ${address}, but the bot now talks to ${vault.address}; nothing was sealed. Request the seal again.`);
      }
      await vault.seal();
      const status = await vault.sealStatus();
      if (!status.sealed) {
        throw new CoreError(ErrorCode.VaultServerError, `Vault at ${address} accepted the seal call but still reports unsealed; check the node (is it a standby?) and seal it with the Vault CLI.`);
      }
      // The engine measures and shows the run's duration; the summary states the fact.
      return {
        summary: `Sealed Vault at ${address}; sys/seal-status confirms it is sealed.`,
        facts: [
          { label: 'Sealed', value: 'yes (confirmed by sys/seal-status)' },
          { label: 'Unseal threshold', value: `${status.t} of ${status.n} key shares` },
        ],
      };
    },
  };
}
