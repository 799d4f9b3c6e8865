/**
 * @module cli/version
 * `vault-chatops --version`: the package version, read from package.json next to `src/` and `dist/`
 * (both sit one folder below the package root), so the number is never typed twice.
 */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
