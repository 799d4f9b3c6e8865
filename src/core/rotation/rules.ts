/**
 * @module rotation/rules
 * `ROTATION_RULES`: a JSON file naming, per secret path pattern, which fields rotate and as what.
 * Read and checked once at start-up; each problem names the file, the rule (number and pattern)
 * and what is wrong, so a typo stops the bot instead of silently rotating the wrong field.
 *
 * @example
 * { "rules": [
 *   { "path": "secret/mail/*", "fields": { "smtp_password": "password",
 *     "dkim_private_key": { "kind": "dkim", "public_field": "dkim_dns_txt" } } } ] }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ROTATION_KINDS } from './plan.js';

const FIELD = /^[A-Za-z0-9._-]{1,128}$/;
const kind = z.enum(ROTATION_KINDS, { error: `kind must be one of ${ROTATION_KINDS.join(', ')}` });
const fieldSpec = z.union([
  kind,
  z.strictObject({ kind, public_field: z.string().regex(FIELD, 'public_field must be a field name (letters, digits, . _ -)').optional() }),
], { error: `kind must be one of ${ROTATION_KINDS.join(', ')}, or {"kind": "ssh"|"dkim", "public_field": "<field>"}` });
const rule = z.strictObject({
  path: z.string().min(1, 'path must not be empty').regex(/^[^/].*[^/]$|^[^/]$/, 'path must not start or end with "/"'),
  fields: z
    .record(z.string().regex(FIELD, 'field names are letters, digits, . _ -'), fieldSpec)
    .refine((f) => Object.keys(f).length > 0, 'fields must name at least one field'),
});
const file = z.strictObject({ rules: z.array(rule) });

export type RotationRule = z.output<typeof rule>;
export type RotationRules = readonly RotationRule[];

export type RulesResult = { ok: true; rules: RotationRules } | { ok: false; problems: string[] };

/** Reads and validates the file; never throws. */
export function loadRotationRules(path: string): RulesResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { ok: false, problems: [`ROTATION_RULES file ${path} cannot be read (${code}); give the path of a readable JSON file`] };
  }
  return parseRotationRules(text, path);
}

export function parseRotationRules(text: string, path: string): RulesResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`ROTATION_RULES file ${path} is not valid JSON (${(error as Error).message})`] };
  }
  const parsed = file.safeParse(json);
  if (parsed.success) return { ok: true, rules: parsed.data.rules };
  const problems = parsed.error.issues.map((issue) => `ROTATION_RULES file ${path}: ${where(issue.path, json)}${issue.message}`);
  return { ok: false, problems: [...new Set(problems)] };
}

/** `rule 2 ("secret/mail/*"), field "smtp": ` from a zod issue path. */
function where(path: readonly PropertyKey[], json: unknown): string {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') return path.length > 0 ? `${path.join('.')}: ` : '';
  const raw = (json as { rules: unknown[] }).rules[path[1]];
  const pattern = raw !== null && typeof raw === 'object' && typeof (raw as { path?: unknown }).path === 'string' ? ` ("${(raw as { path: string }).path}")` : '';
  const rest = path.slice(2);
  const field = rest[0] === 'fields' && typeof rest[1] === 'string' ? `, field "${rest[1]}"` : rest.length > 0 ? `, ${rest.join('.')}` : '';
  return `rule ${path[1] + 1}${pattern}${field}: `;
}
