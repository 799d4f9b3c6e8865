/**
 * @module rotation/rotate-secret
 * `rotate secret <kv-path>` in two halves. At request time, `planSecretRotation` checks the path
 * and freezes path, version and plan (names and kinds, never values). After approval,
 * `rotateSecret` generates fresh values, writes them as a new version with check-and-set on the
 * frozen version (a secret changed since the request is left alone), reads the new version back
 * and compares it field by field. Values never leave this function except towards Vault.
 */
import { CoreError, ErrorCode, isCoreError } from '../errors.js';
import type { AuditTrail } from '../audit/types.js';
import { generateValues } from './generate-values.js';
import { currentVersion, findSecret, readVersion, type KvCaller, type KvSecretRef } from './kv-secret.js';
import { describeFields, planFields, type PlannedField } from './plan.js';
import type { RotationRules } from './rules.js';

/** What a `rotate-secret` request freezes. Plain JSON; no values. */
export interface RotateSecretParams {
  address: string;
  path: string;
  mount: string;
  name: string;
  version: number;
  fields: PlannedField[];
  /** The ROTATION_RULES pattern that chose the fields, or null for the naming conventions. */
  rule: string | null;
}

export interface RotatedSecret {
  path: string;
  fromVersion: number;
  toVersion: number;
  fields: PlannedField[];
}

const CONVENTIONS = 'password, *_password, api_key, token, *_token, ssh_private_key, dkim_private_key';

export async function planSecretRotation(vault: KvCaller, rules: RotationRules, text: string): Promise<RotateSecretParams> {
  const p = await findSecret(vault, text);
  const plan = planFields(rules, p.path, Object.keys(p.data));
  if (plan.fields.length === 0) {
    const why = plan.rule ? `the ROTATION_RULES rule "${plan.rule}" names none of its fields` : `none of its fields follows a naming convention (${CONVENTIONS}) and no ROTATION_RULES rule matches`;
    throw new CoreError(ErrorCode.InvalidInput, `Nothing to rotate in ${p.path}: ${why}.`);
  }
  return { address: vault.address, path: p.path, mount: p.mount, name: p.name, version: p.version, fields: plan.fields, rule: plan.rule };
}

export function describeSecretRotation(params: Readonly<RotateSecretParams>): { label: string; value: string }[] {
  return [
    { label: 'Secret', value: `${params.path} on ${params.address}` },
    { label: 'Version seen', value: String(params.version) },
    { label: 'Fields to rotate', value: describeFields(params.fields) },
    { label: 'Chosen by', value: params.rule ? `ROTATION_RULES rule "${params.rule}"` : 'field-name conventions' },
    { label: 'Effect', value: `writes version ${params.version + 1} only if the secret is still at version ${params.version}; other fields are kept; no value is ever shown` },
  ];
}

export async function rotateSecret(vault: KvCaller, audit: AuditTrail, params: Readonly<RotateSecretParams>, actor: string): Promise<RotatedSecret> {
  const p: KvSecretRef = { path: params.path, mount: params.mount, name: params.name };
  const names = params.fields.flatMap((f) => (f.publicField ? [f.field, f.publicField] : [f.field]));
  if (params.address !== vault.address) {
    throw new CoreError(ErrorCode.ApprovalRefused, `This rotation was approved for ${params.address}, but the bot now talks to ${vault.address}; nothing was written. Request it again.`);
  }
  const before = await readVersion(vault, p, params.version);
  if (!before) throw changed(params, await currentVersion(vault, p), 'the approved version is deleted or destroyed');

  const fresh = await generateValues(params.fields, `${params.name.replace(/[^A-Za-z0-9._-]/g, '-')}@vault-chatops`);
  audit.append({ actor, event: 'rotation.secret.writing', target: params.path, details: { version: params.version, fields: names } });
  let toVersion: number;
  try {
    toVersion = (await vault.kvWrite(p.mount, p.name, { ...before, ...fresh }, params.version)).version;
  } catch (error) {
    if (isCoreError(error) && /check-and-set parameter did not match/i.test(error.userMessage)) {
      const now = await currentVersion(vault, p);
      audit.append({ actor, event: 'rotation.secret.conflict', target: params.path, details: { version: params.version, currentVersion: now ?? null } });
      throw changed(params, now, undefined, error);
    }
    audit.append({ actor, event: 'rotation.secret.failed', target: params.path, details: { version: params.version, code: isCoreError(error) ? error.code : 'internal' } });
    throw error;
  }

  const after = await readVersion(vault, p, toVersion);
  const mismatched = after ? compare(before, fresh, after) : ['(version unreadable)'];
  audit.append({
    actor,
    event: mismatched.length === 0 ? 'rotation.secret.written' : 'rotation.secret.readback_mismatch',
    target: params.path,
    details: { fromVersion: params.version, toVersion, fields: names, ...(mismatched.length ? { mismatched } : {}) },
  });
  if (mismatched.length > 0) {
    throw new CoreError(
      ErrorCode.VerifyFailed,
      `Version ${toVersion} of ${params.path} was written but reading it back does not match (${mismatched.join(', ')}); roll back with \`${rollbackCommand(params, params.version)}\` and check the secret.`,
    );
  }
  return { path: params.path, fromVersion: params.version, toVersion, fields: params.fields };
}

/** `vault kv rollback -mount=secret -version=4 app/smtp` */
export function rollbackCommand(params: Pick<RotateSecretParams, 'mount' | 'name'>, version: number): string {
  return `vault kv rollback -mount=${params.mount} -version=${version} ${params.name}`;
}

/** The same rollback through the HTTP API (what the CLI does: read the old version, write it back with cas). */
export function rollbackApi(params: Pick<RotateSecretParams, 'mount' | 'name'>, version: number, newVersion: number): string {
  return `GET /v1/${params.mount}/data/${params.name}?version=${version}, then POST its data to /v1/${params.mount}/data/${params.name} with "options": {"cas": ${newVersion}}`;
}

/** Field names whose stored value is not what was meant: rotated ones must be new, the rest unchanged. */
function compare(old: Record<string, unknown>, fresh: Record<string, string>, stored: Record<string, unknown>): string[] {
  const expected: Record<string, unknown> = { ...old, ...fresh };
  const keys = new Set([...Object.keys(expected), ...Object.keys(stored)]);
  return [...keys].filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(stored[k])).sort();
}

function changed(params: Readonly<RotateSecretParams>, now: number | undefined, detail?: string, cause?: unknown): CoreError {
  const at = now === undefined ? '' : ` (now version ${now})`;
  return new CoreError(
    ErrorCode.ApprovalRefused,
    `Nothing was written: ${params.path} changed since the request${detail ? ` (${detail})` : ''} — it was version ${params.version} when requested${at}. Request the rotation again to rotate the current version.`,
    cause === undefined ? undefined : { cause },
  );
}
