/**
 * @module rotation/rekey-follow
 * Follows a rekey that the bot started, by polling its status at a bounded interval, and tells
 * the thread what people need: each change of progress (`k of t` shares of the current key), then
 * completion or cancellation. It never sees a share: key holders submit theirs with their CLI.
 *
 * Vault's status does not say how a rekey ended (both leave `started:false`), so the seal
 * configuration decides: the requested shares/threshold in force means it completed; the old
 * ones mean it was cancelled; when old and new are the same the thread says it cannot tell.
 */
import type { RekeyApi } from '../vault/rekey.js';
import type { RekeyStatus, VaultSealStatus } from '../vault/types.js';
import { pause } from './follow-ups.js';

export interface RekeyWatch {
  readRekey(api: RekeyApi): Promise<RekeyStatus>;
  sealStatus(): Promise<VaultSealStatus>;
}

export interface FollowRekeyInput {
  vault: RekeyWatch;
  api: RekeyApi;
  nonce: string;
  requested: { shares: number; threshold: number };
  before: { shares: number; threshold: number };
  note: (text: string) => Promise<void>;
  signal: AbortSignal;
  intervalMs: number;
  /** Stop following after this long (the rekey itself goes on). */
  maxMs: number;
  now?: () => number;
  /** Called once with how it ended. */
  onEnd?: (outcome: RekeyEnd) => void;
}

export type RekeyEnd = 'completed' | 'cancelled' | 'ended' | 'replaced' | 'gave_up';

export async function followRekey(input: FollowRekeyInput): Promise<RekeyEnd> {
  const { vault, api, nonce, note, signal } = input;
  const now = input.now ?? Date.now;
  const deadline = now() + input.maxMs;
  let lastProgress = 0;
  let failures = 0;
  // Audited (onEnd) before the thread is told, so the record never trails what people read.
  const end = async (outcome: RekeyEnd, text: string): Promise<RekeyEnd> => {
    input.onEnd?.(outcome);
    await note(text);
    return outcome;
  };
  for (;;) {
    await pause(input.intervalMs, signal);
    if (now() > deadline) {
      return end('gave_up', `Stopped following rekey \`${nonce}\` after ${Math.round(input.maxMs / 60_000)} min; it may still be in progress. Check with \`vault operator rekey -status\`.`);
    }
    let status: RekeyStatus;
    try {
      status = await vault.readRekey(api);
      failures = 0;
    } catch {
      failures += 1;
      if (failures === 3) await note(`Cannot read the rekey status from Vault (${api}/init) right now; still trying.`);
      continue;
    }
    if (status.started && status.nonce === nonce) {
      if (status.progress !== lastProgress) {
        lastProgress = status.progress;
        await note(`Rekey progress: ${status.progress} of ${status.required} key shares given (nonce \`${nonce}\`).`);
      }
      continue;
    }
    if (status.started) {
      return end('replaced', `Rekey \`${nonce}\` is no longer the one in progress (Vault now shows nonce \`${status.nonce}\`): someone cancelled it and started another outside this request.`);
    }
    const ended = await reportEnd(input);
    return end(ended.outcome, ended.text);
  }
}

async function reportEnd(input: FollowRekeyInput): Promise<{ outcome: RekeyEnd; text: string }> {
  const { requested, before, nonce, api } = input;
  let seal: VaultSealStatus | undefined;
  try {
    seal = await input.vault.sealStatus();
  } catch {
    seal = undefined;
  }
  const isRequested = seal !== undefined && seal.t === requested.threshold && seal.n === requested.shares;
  const isBefore = seal !== undefined && seal.t === before.threshold && seal.n === before.shares;
  const sameConfig = requested.shares === before.shares && requested.threshold === before.threshold;
  if (isRequested && !sameConfig) {
    return {
      outcome: 'completed',
      text: `:white_check_mark: Rekey \`${nonce}\` completed through ${api}: Vault now unseals with ${requested.threshold} of ${requested.shares} new key shares, and the old shares no longer work. Key holders: store your new share safely; never paste it here.`,
    };
  }
  if (isBefore && !sameConfig) {
    return { outcome: 'cancelled', text: `Rekey \`${nonce}\` was cancelled before it completed: Vault still unseals with the old ${before.threshold} of ${before.shares} shares.` };
  }
  return {
    outcome: 'ended',
    text: `Rekey \`${nonce}\` has ended: Vault no longer reports it in progress. The seal configuration (${seal ? `${seal.t} of ${seal.n}` : 'unknown'}) cannot tell a completed rekey from a cancelled one here; the key holder who gave the last share saw which.`,
  };
}
