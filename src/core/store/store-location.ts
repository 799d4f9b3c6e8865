/**
 * @module store/store-location
 * The one check of a `BACKUP_STORE` value, shared by the configuration (at start-up) and
 * `createBackupStore`, and the one way to show such a value in a message. A value that looks like
 * a URL but is not a supported one (`s3:/bucket`, `s3:bucket`, `ftp://…`) is refused rather than
 * taken for a relative folder; credentials, query strings and fragments are never echoed.
 *
 * @example
 *   storeLocationProblem('s3:/my-bucket/vault') // 'is not an S3 URL: it needs two slashes, as in s3://my-bucket/vault'
 *   redactLocation('s3://AKIA…:secret@bucket/x?sig=1') // 's3://***@bucket/x?…'
 */

/** How a good value looks, for every message that refuses one. */
export const STORE_LOCATION_FORMS = 's3://bucket[/prefix], file:///absolute/path or a folder path (e.g. /var/backups/vault)';

/** A scheme of two or more characters (one letter followed by `:` is a Windows drive, not a scheme). */
const SCHEME_LIKE = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;
const BUCKET = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/;

/**
 * The value with anything that may carry a secret replaced: the user-info part (`user:pass@`,
 * wherever the last `@` before the path is) and any query string or fragment (signatures, keys).
 */
export function redactLocation(location: string): string {
  let text = location.trim();
  const cut = text.search(/[?#]/);
  if (cut !== -1) text = `${text.slice(0, cut)}?…`;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]+:\/*/.exec(text)?.[0];
  if (scheme) {
    const rest = text.slice(scheme.length);
    const at = rest.lastIndexOf('@');
    if (at !== -1) text = `${scheme}***@${rest.slice(at + 1)}`;
  }
  return text;
}

/** Undefined when the value is a usable store location; otherwise what is wrong, safe to show. */
export function storeLocationProblem(location: string): string | undefined {
  const value = location.trim();
  if (value === '') return 'is empty';
  if (/[?#]/.test(value) && SCHEME_LIKE.test(value)) return 'has a query string or fragment, which a backup location never has (and which may carry credentials)';
  const scheme = SCHEME_LIKE.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined;
  const afterScheme = value.slice(scheme.length + 1);
  if (scheme === 's3') {
    if (!afterScheme.startsWith('//')) {
      const rest = afterScheme.replace(/^\/*/, '');
      return `is not an S3 URL: it needs two slashes, as in s3://${rest.includes('@') ? 'bucket/prefix' : rest || 'bucket/prefix'}`;
    }
    const rest = afterScheme.slice(2);
    const slash = rest.indexOf('/');
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    if (rest.includes('@')) return 'contains credentials; S3 credentials come from the AWS credential chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile or a role), never from the location';
    if (authority.includes(':')) return 'has a port; set S3_ENDPOINT for an S3-compatible endpoint and keep only the bucket here';
    if (!BUCKET.test(authority)) return `does not name a valid S3 bucket: "${authority}" is an invalid bucket name`;
    return undefined;
  }
  if (scheme === 'file') {
    if (!afterScheme.startsWith('///')) return 'is not a local file URL (it needs three slashes: file:///path)';
    if (value.includes('@')) return 'contains credentials, which a file URL never has';
    return undefined;
  }
  return `uses an unsupported scheme ${scheme}:${afterScheme.startsWith('//') ? '//' : ''}`;
}
