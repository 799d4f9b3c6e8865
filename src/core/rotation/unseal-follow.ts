/**
 * @module rotation/unseal-follow
 * After an approved emergency seal: follow the unseal in the seal request's thread. Each node's
 * progress is reported when it changes (`k of t` shares), each node that unseals is named, and
 * once the cluster serves again (`sys/health` answers 200 on a node) the thread says so, with
 * how long Vault was sealed. Key holders unseal with their own CLI; nothing here sees a share.
 */
import { formatDuration } from '../actions/format-duration.js';
import type { VaultHealth } from '../vault/types.js';
import { pause } from './follow-ups.js';
import { readNodeSealStates, type SealStatusSource } from './unseal-status.js';

export interface UnsealNode extends SealStatusSource {
  health(): Promise<VaultHealth>;
}

export interface FollowUnsealInput {
  nodes: readonly UnsealNode[];
  /** When the seal was confirmed, Unix ms. */
  sealedAt: number;
  note: (text: string) => Promise<void>;
  signal: AbortSignal;
  intervalMs: number;
  maxMs: number;
  now?: () => number;
  onServing?: (sealedForMs: number) => void;
}

export async function followUnseal(input: FollowUnsealInput): Promise<'serving' | 'gave_up'> {
  const now = input.now ?? Date.now;
  const seen = new Map<string, string>();
  for (;;) {
    await pause(input.intervalMs, input.signal);
    if (now() - input.sealedAt > input.maxMs) {
      await input.note(`Stopped following the unseal after ${formatDuration(input.maxMs)}; Vault was still not serving. Check \`/vault unseal-status\`.`);
      return 'gave_up';
    }
    for (const node of await readNodeSealStates(input.nodes)) {
      if (!node.reachable) continue;
      const state = node.sealed ? `progress:${node.progress}` : 'unsealed';
      const before = seen.get(node.address);
      if (before === state || (before === undefined && node.sealed && node.progress === 0)) {
        seen.set(node.address, state);
        continue;
      }
      seen.set(node.address, state);
      await input.note(
        node.sealed
          ? `Unseal progress on ${node.address}: ${node.progress} of ${node.threshold} key shares given.`
          : `${node.address} is unsealed.`,
      );
    }
    for (const node of input.nodes) {
      let health: VaultHealth;
      try {
        health = await node.health();
      } catch {
        continue;
      }
      if (health.code === 200 && !health.sealed) {
        const sealedFor = Math.max(0, now() - input.sealedAt);
        input.onServing?.(sealedFor);
        await input.note(`:white_check_mark: Vault serves again: ${node.address} is active. It was sealed for ${formatDuration(sealedFor)}.`);
        return 'serving';
      }
    }
  }
}
