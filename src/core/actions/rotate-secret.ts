/**
 * @module actions/rotate-secret
 * The `rotate-secret` action (DESIGN §6, §11): two approvals; the request freezes path, version
 * and plan; the run writes fresh values with check-and-set and reports the new version and how to
 * roll back. No value appears in the facts, the summary, the audit rows or an error.
 */
import type { AuditTrail } from '../audit/types.js';
import type { ActionDefinition } from '../approvals/types.js';
import type { KvCaller } from '../rotation/kv-secret.js';
import { describeFields } from '../rotation/plan.js';
import { describeSecretRotation, rollbackApi, rollbackCommand, rotateSecret, type RotateSecretParams } from '../rotation/rotate-secret.js';

export const ROTATE_SECRET_ACTION = 'rotate-secret';
export const ROTATE_APPROVALS = 2;
export const ROTATE_TTL_MS = 30 * 60_000;

export interface RotateSecretDeps {
  vault: KvCaller;
  audit: AuditTrail;
  /** Called after a completed rotation (e.g. a PagerDuty change event); failures are the caller's to swallow. */
  onRotated?: (summary: string) => void;
}

/** @example approvals.register(rotateSecretAction({ vault: backups.vault, audit })); */
export function rotateSecretAction(deps: RotateSecretDeps): ActionDefinition<RotateSecretParams> {
  return {
    name: ROTATE_SECRET_ACTION,
    approvalsRequired: ROTATE_APPROVALS,
    ttlMs: ROTATE_TTL_MS,
    describe: (params) => describeSecretRotation(params),
    async execute(params, ctx) {
      const done = await rotateSecret(deps.vault, deps.audit, params, ctx.requester);
      const notes = done.fields.flatMap((f) =>
        f.kind === 'ssh' && f.publicField
          ? [`authorise the new public key (field ${f.publicField}) where the old one was`]
          : f.kind === 'dkim' && f.publicField
            ? [`publish the DNS TXT value from field ${f.publicField} at <selector>._domainkey before mail is signed with the new key`]
            : [],
      );
      const summary = `Rotated ${describeFields(done.fields)} in ${done.path}: version ${done.fromVersion} → ${done.toVersion}, read back and checked.`;
      deps.onRotated?.(summary);
      return {
        summary,
        facts: [
          { label: 'New version', value: String(done.toVersion) },
          { label: 'Roll back (CLI)', value: `\`${rollbackCommand(params, done.fromVersion)}\`` },
          { label: 'Roll back (API)', value: rollbackApi(params, done.fromVersion, done.toVersion) },
          ...(notes.length ? [{ label: 'Next', value: notes.join('; ') }] : []),
        ],
      };
    },
  };
}
