/**
 * @module rotation/safe-kv-path
 * What a KV path typed in Slack or the CLI may contain, for every command that names one (rotate
 * secret; recover uses the same characters): letters, digits and `_ . @ + = , : -` per segment,
 * no empty, `.` or `..` segment. Anything else — `%2e%2e`, `?`, `#`, spaces, a backslash — could
 * reach Vault as a different path than the one approvers saw, so it is refused, not decoded.
 */

const SAFE_SEGMENT = /^[A-Za-z0-9_.@+=,:-]+$/;

/** True when every `/`-separated segment of `path` is plain (a trailing `/` only when `folder`). */
export function isSafeKvPath(path: string, opts: { folder?: boolean } = {}): boolean {
  const body = opts.folder && path.endsWith('/') ? path.slice(0, -1) : path;
  if (body === '') return false;
  return body.split('/').every((s) => SAFE_SEGMENT.test(s) && s !== '.' && s !== '..');
}
