/**
 * @module drills/scenario-plugins
 * The two drills that exercise other parts of the product against staging (DESIGN §13):
 *
 * - `seal`: seal staging, then run the health round (the same checks the monitor runs on
 *   HEALTH_CRON) until its `sealed` check fails, which is what raises the `vault_sealed` alert
 *   (fired at once). Measured: seal → detection, against `RTO_ALERT_MINUTES`. The drill's own alert
 *   is not sent to on-call (it is staging). Staging stays sealed: the last step reads the unseal
 *   status, and key holders unseal it with their own CLI (the bot never handles shares).
 * - `rotation`: rotate a drill canary secret on staging end to end with the rotation core — plan
 *   (fields and kinds), write with check-and-set, read back and compare. Measured against
 *   `RTO_ROTATION_MINUTES`. Values never leave the rotation core.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { AuditTrail } from '../audit/types.js';
import { CoreError, ErrorCode } from '../errors.js';
import type { HealthRound, HealthVault } from '../health/types.js';
import type { KvCaller } from '../rotation/kv-secret.js';
import { planSecretRotation, rotateSecret } from '../rotation/rotate-secret.js';
import type { RotationRules } from '../rotation/rules.js';
import { describeNodeState, readNodeSealStates, type SealStatusSource } from '../rotation/unseal-status.js';
import type { DrillPlugin } from './run-drill.js';

/** A staging client that works (production's credentials once staging holds a restored snapshot). */
export type WithStaging = <T>(fn: (vault: StagingVault) => Promise<T>) => Promise<T>;
export type StagingVault = HealthVault & SealStatusSource & KvCaller & { seal(): Promise<void> };

export interface SealDrillOptions {
  withStaging: WithStaging;
  runRound: (vault: HealthVault) => Promise<HealthRound>;
  /** Pause between health rounds while waiting for detection (default 1 s). */
  pollMs?: number;
  /** Give up waiting for detection after this long (default 10 min). */
  detectTimeoutMs?: number;
}

export function sealDrill(o: SealDrillOptions): DrillPlugin {
  return {
    run: ({ step }) =>
      o.withStaging(async (vault) => {
        await step('check that staging serves', async () => {
          const h = await vault.health();
          if (h.sealed) throw new CoreError(ErrorCode.VaultSealed, `staging (${vault.address}) is already sealed; unseal it first`);
          return h;
        }, (h) => `version ${h.version ?? 'unknown'}`);
        const sealedAt = performance.now();
        await step('seal staging', () => vault.seal());
        const deadline = sealedAt + (o.detectTimeoutMs ?? 600_000);
        await step('health round raises the vault_sealed alert', async () => {
          for (let round = 1; ; round += 1) {
            const r = await o.runRound(vault);
            const sealed = r.results.find((c) => c.name === 'sealed');
            if (sealed?.state === 'fail') return { round, detail: sealed.detail };
            if (performance.now() > deadline) throw new CoreError(ErrorCode.VaultServerError, `no health round noticed the sealed staging Vault within ${Math.round((o.detectTimeoutMs ?? 600_000) / 1000)} s`);
            await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 1000));
          }
        }, (d) => `round ${d.round}: ${d.detail}`);
        const measuredMs = Math.round(performance.now() - sealedAt);
        await step('unseal status (key holders unseal staging with their own CLI)', async () => (await readNodeSealStates([vault]))[0], (s) => (s ? describeNodeState(s) : undefined));
        return { measuredMs };
      }),
  };
}

export interface RotationDrillOptions {
  withStaging: WithStaging;
  rules: RotationRules;
  audit: AuditTrail;
  /** The drill's own canary on staging (KV v2), created when missing. */
  path?: string;
}

export const ROTATION_DRILL_PATH = 'secret/vault-chatops/drill-rotation-canary';

export function rotationDrill(o: RotationDrillOptions): DrillPlugin {
  const path = o.path ?? ROTATION_DRILL_PATH;
  return {
    run: ({ step, actor }) =>
      o.withStaging(async (vault) => {
        await step(`prepare ${path} on staging`, async () => {
          const mount = await vault.mountInfo(path);
          if (!mount || mount.version !== '2') throw new CoreError(ErrorCode.InvalidInput, `${path} is not on a KV v2 mount on staging`);
          const name = path.slice(mount.path.length);
          const meta = await vault.kvMetadata(mount.path.replace(/\/+$/, ''), name);
          if (!meta || meta.currentDeleted) {
            await vault.kvWrite(mount.path.replace(/\/+$/, ''), name, { password: randomBytes(24).toString('base64url'), purpose: 'vault-chatops rotation drill' });
          }
        });
        const started = performance.now();
        const params = await step('plan the rotation (fields and kinds, version seen)', () => planSecretRotation(vault, o.rules, path), (p) => `version ${p.version}, ${p.fields.length} field${p.fields.length === 1 ? '' : 's'}`);
        await step('rotate: write with check-and-set, read back and compare', () => rotateSecret(vault, o.audit, params, actor), (r) => `version ${r.fromVersion} → ${r.toVersion}`);
        return { measuredMs: Math.round(performance.now() - started) };
      }),
  };
}
