/**
 * @module actions/rotate-unseal-keys
 * The `rotate-unseal-keys` action (DESIGN §11): two approvals, then a rekey is started with
 * REKEY_SHARES / REKEY_THRESHOLD (and REKEY_PGP_KEYS) and followed in the request's thread until
 * key holders complete or cancel it. The bot never asks for, accepts or echoes a key share.
 */
import type { AuditTrail } from '../audit/types.js';
import type { ActionDefinition } from '../approvals/types.js';
import { CoreError, ErrorCode } from '../errors.js';
import type { FollowUps } from '../rotation/follow-ups.js';
import type { FollowUpStore } from '../rotation/follow-up-store.js';
import { followRekey } from '../rotation/rekey-follow.js';
import type { RekeyApi, RekeyRequest } from '../vault/rekey.js';
import type { RekeyStatus, VaultSealStatus } from '../vault/types.js';
import { ROTATE_APPROVALS, ROTATE_TTL_MS } from './rotate-secret.js';

export const ROTATE_UNSEAL_KEYS_ACTION = 'rotate-unseal-keys';

/** What a rekey request freezes. PGP keys are counted, not copied (they come from the configuration). */
export interface RotateUnsealKeysParams {
  address: string;
  api: RekeyApi;
  shares: number;
  threshold: number;
  pgpKeys: number;
  before: { shares: number; threshold: number };
}

/** The Vault calls this needs; `VaultClient` satisfies it. */
export interface RekeyTarget {
  readonly address: string;
  sealStatus(): Promise<VaultSealStatus>;
  detectRekeyApi(): Promise<{ api: RekeyApi; status: RekeyStatus }>;
  startRekey(request: RekeyRequest): Promise<{ api: RekeyApi; status: RekeyStatus }>;
  readRekey(api: RekeyApi): Promise<RekeyStatus>;
}

export interface RotateUnsealKeysDeps {
  vault: RekeyTarget;
  audit: AuditTrail;
  rekey: RekeyRequest;
  followUps: FollowUps;
  /** Poll interval while following (default 5 s) and how long to follow (default 24 h). */
  pollMs?: number;
  followMaxMs?: number;
  onRotated?: (summary: string) => void;
  /** Remembers followed rekeys so a restart takes them up again. */
  followUpStore?: Pick<FollowUpStore, 'open' | 'close'>;
}

/** What following a rekey needs; stored (no share, no key) so a restart can resume it. */
export interface RekeyFollowState {
  address: string;
  api: RekeyApi;
  nonce: string;
  requested: { shares: number; threshold: number };
  before: { shares: number; threshold: number };
}

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_FOLLOW_MS = 24 * 3_600_000;

/** Request time: refuse while another rekey runs; freeze the API this server serves and today's seal configuration. */
export async function planUnsealKeyRotation(vault: RekeyTarget, rekey: RekeyRequest): Promise<RotateUnsealKeysParams> {
  const seal = await vault.sealStatus();
  if (seal.sealed) throw new CoreError(ErrorCode.VaultSealed, `Vault at ${vault.address} is sealed; a rekey needs it unsealed.`);
  const { api, status } = await vault.detectRekeyApi();
  if (status.started) {
    throw new CoreError(
      ErrorCode.ApprovalRefused,
      `A rekey is already in progress on ${vault.address} (nonce ${status.nonce}, ${status.progress} of ${status.required} shares given); let its key holders finish it or cancel it with \`vault operator rekey -cancel\` first.`,
    );
  }
  return { address: vault.address, api, shares: rekey.shares, threshold: rekey.threshold, pgpKeys: rekey.pgpKeys?.length ?? 0, before: { shares: seal.n, threshold: seal.t } };
}

export function rotateUnsealKeysAction(deps: RotateUnsealKeysDeps): ActionDefinition<RotateUnsealKeysParams> {
  return {
    name: ROTATE_UNSEAL_KEYS_ACTION,
    approvalsRequired: ROTATE_APPROVALS,
    ttlMs: ROTATE_TTL_MS,
    describe: (p) => [
      { label: 'Vault', value: p.address },
      { label: 'New key shares', value: `${p.threshold} of ${p.shares} (today ${p.before.threshold} of ${p.before.shares})` },
      { label: 'PGP-encrypted shares', value: p.pgpKeys > 0 ? `yes, ${p.pgpKeys} keys from REKEY_PGP_KEYS` : 'no' },
      { label: 'API', value: `${p.api}/*` },
      { label: 'Key holders', value: `submit their current shares with their own CLI; the bot never asks for or accepts a share` },
    ],
    async execute(p, ctx) {
      const { vault, audit } = deps;
      if (p.address !== vault.address) {
        throw new CoreError(ErrorCode.ApprovalRefused, `This rekey was approved for ${p.address}, but the bot now talks to ${vault.address}; nothing was started. Request it again.`);
      }
      if ((deps.rekey.pgpKeys?.length ?? 0) !== p.pgpKeys || deps.rekey.shares !== p.shares || deps.rekey.threshold !== p.threshold) {
        throw new CoreError(ErrorCode.ApprovalRefused, 'REKEY_SHARES, REKEY_THRESHOLD or REKEY_PGP_KEYS changed since this was requested; nothing was started. Request it again.');
      }
      audit.append({ actor: ctx.requester, event: 'rotation.rekey.starting', target: p.address, details: { shares: p.shares, threshold: p.threshold, pgpKeys: p.pgpKeys } });
      const { api, status } = await vault.startRekey(deps.rekey);
      audit.append({ actor: ctx.requester, event: 'rotation.rekey.started', target: p.address, details: { api, nonce: status.nonce, required: status.required } });
      followRekeyInThread(deps, ctx.requestId, { address: p.address, api, nonce: status.nonce, requested: { shares: p.shares, threshold: p.threshold }, before: p.before });
      const cli = api === 'sys/rekey' ? `vault operator rekey -nonce=${status.nonce}` : `bao operator rotate-keys -nonce=${status.nonce}`;
      return {
        summary: `Rekey started through ${api}/init: nonce ${status.nonce}, ${status.progress} of ${status.required} current key shares given. Key holders: run \`${cli}\` with your own CLI and give your share there — never in Slack. Progress follows in this thread.`,
        facts: [
          { label: 'Nonce', value: status.nonce },
          { label: 'Progress', value: `${status.progress} of ${status.required}` },
          { label: 'API used', value: api === 'sys/rekey' ? 'sys/rekey/* (Vault rekey)' : 'sys/rotate/root/* (OpenBao 2.5+: sys/rekey answered 405)' },
          { label: 'New shares', value: `${p.threshold} of ${p.shares}${p.pgpKeys > 0 ? ', PGP-encrypted' : ''}` },
        ],
      };
    },
  };
}

/** Starts (or, after a restart, resumes) following a rekey in the request's thread. */
export function followRekeyInThread(deps: RotateUnsealKeysDeps, requestId: string, state: RekeyFollowState): void {
  const { vault, audit } = deps;
  deps.followUpStore?.open(requestId, 'rekey', { ...state });
  deps.followUps.start(requestId, 'rekey', async (signal) => {
    await followRekey({
      vault,
      api: state.api,
      nonce: state.nonce,
      requested: state.requested,
      before: state.before,
      note: (text) => deps.followUps.note(requestId, text),
      signal,
      intervalMs: deps.pollMs ?? DEFAULT_POLL_MS,
      maxMs: deps.followMaxMs ?? DEFAULT_FOLLOW_MS,
      onEnd: (outcome) => {
        deps.followUpStore?.close(requestId, 'rekey', outcome);
        audit.append({ actor: 'system', event: `rotation.rekey.${outcome}`, target: state.address, details: { api: state.api, nonce: state.nonce } });
        if (outcome === 'completed') deps.onRotated?.(`Unseal keys rotated on ${state.address}: ${state.requested.threshold} of ${state.requested.shares} new shares (${state.api}).`);
      },
    });
  });
}
