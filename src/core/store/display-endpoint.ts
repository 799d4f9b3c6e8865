/**
 * @module store/display-endpoint
 * An S3 endpoint as people may see it. Kept apart from the S3 client so that naming a store does
 * not load the AWS SDK.
 */

/** The endpoint as people may see it: no user:password, which some set inside URLs. */
export function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return 'a custom S3 endpoint';
  }
}
