/**
 * @module rotation/plan
 * Which fields of a secret rotate, and as what (DESIGN §11): the first `ROTATION_RULES` rule whose
 * pattern matches the path decides; without one, field-name conventions do. Fields that match
 * nothing are kept as they are. Only names and kinds are planned here, never values.
 */
import type { RotationRule, RotationRules } from './rules.js';

export const ROTATION_KINDS = ['password', 'api-key', 'ssh', 'dkim'] as const;
export type RotationKind = (typeof ROTATION_KINDS)[number];

/** One field to rotate. `publicField` is where the ssh public key or the DKIM DNS TXT value goes. */
export interface PlannedField {
  field: string;
  kind: RotationKind;
  publicField?: string;
}

export interface FieldPlan {
  fields: PlannedField[];
  /** The rule pattern that decided, or `null` for the naming conventions. */
  rule: string | null;
}

/** `*` matches within one path segment, `**` across segments; everything else literally. */
export function patternMatches(pattern: string, path: string): boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(path);
}

export function planFields(rules: RotationRules, path: string, fieldNames: readonly string[]): FieldPlan {
  const rule = rules.find((r) => patternMatches(r.path, path));
  if (rule) return { fields: fromRule(rule, fieldNames), rule: rule.path };
  return { fields: fromConventions(fieldNames), rule: null };
}

function fromRule(rule: RotationRule, fieldNames: readonly string[]): PlannedField[] {
  const present = new Set(fieldNames);
  const out: PlannedField[] = [];
  for (const [field, spec] of Object.entries(rule.fields)) {
    if (!present.has(field)) continue;
    const kind = typeof spec === 'string' ? spec : spec.kind;
    const named = typeof spec === 'string' ? undefined : spec.public_field;
    out.push(kind === 'ssh' || kind === 'dkim' ? { field, kind, publicField: named ?? defaultPublicField(field, kind) } : { field, kind });
  }
  return out;
}

/** `password`/`*_password`; `api_key`/`*_api_key`/`token`/`*_token`; `*ssh_private_key`; `*dkim_private_key`. */
function fromConventions(fieldNames: readonly string[]): PlannedField[] {
  const out: PlannedField[] = [];
  for (const field of fieldNames) {
    const name = field.toLowerCase();
    if (name === 'password' || name.endsWith('_password')) out.push({ field, kind: 'password' });
    else if (name === 'api_key' || name.endsWith('_api_key') || name === 'token' || name.endsWith('_token')) out.push({ field, kind: 'api-key' });
    else if (name.endsWith('ssh_private_key')) out.push({ field, kind: 'ssh', publicField: defaultPublicField(field, 'ssh') });
    else if (name.endsWith('dkim_private_key')) out.push({ field, kind: 'dkim', publicField: defaultPublicField(field, 'dkim') });
  }
  return out;
}

/** `ssh_private_key` → `ssh_public_key`; `dkim_private_key` → `dkim_dns_txt`; otherwise `<field>_public` / `<field>_dns_txt`. */
export function defaultPublicField(field: string, kind: 'ssh' | 'dkim'): string {
  const suffix = kind === 'ssh' ? 'public_key' : 'dns_txt';
  return /private_key$/i.test(field) ? field.replace(/private_key$/i, suffix) : `${field}_${kind === 'ssh' ? 'public' : 'dns_txt'}`;
}

/** `smtp_password (password), deploy_key + deploy_key_public (ssh)`: what approvers read. */
export function describeFields(fields: readonly PlannedField[]): string {
  return fields.map((f) => `${f.field}${f.publicField ? ` + ${f.publicField}` : ''} (${f.kind})`).join(', ');
}
