/**
 * @module store/s3-client
 * Builds the S3 client from the connection options, with the defaults S3-compatible endpoints
 * need. Credentials are handed to the SDK and never kept, printed or logged here.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How to reach S3. Everything is optional: the AWS default chain fills in region and credentials. */
export interface S3ConnectionOptions {
  /** An S3-compatible endpoint, e.g. `http://127.0.0.1:9000` (S3_ENDPOINT). Unset means AWS. */
  endpoint?: string;
  /** Default: the AWS chain (AWS_REGION…), or `us-east-1` when an endpoint is set. */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible stores need. */
  forcePathStyle?: boolean;
  /** Default: the AWS default credential chain (environment, profile, instance role…). */
  credentials?: S3Credentials;
  /**
   * Default `WHEN_REQUIRED` with a custom endpoint, the SDK's `WHEN_SUPPORTED` otherwise. Several
   * S3-compatible stores keep `aws-chunked` framing of streamed uploads verbatim, corrupting the
   * object; with WHEN_REQUIRED the SDK does not use that framing.
   */
  requestChecksumCalculation?: ChecksumMode;
  responseChecksumValidation?: ChecksumMode;
  /** Default 10 s to open a connection. */
  connectionTimeoutMs?: number;
  /** Default 120 s without a byte in either direction aborts the request. */
  idleTimeoutMs?: number;
}

/**
 * The SDK waits forever by default; a stalled connection would hold the single backup slot until
 * a restart. Inactivity, not total time, is bounded: a multi-GB transfer may take long.
 */
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

export function createS3Client(options: S3ConnectionOptions): S3Client {
  const custom = options.endpoint !== undefined;
  const config: S3ClientConfig = {
    requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS, socketTimeout: options.idleTimeoutMs ?? SOCKET_IDLE_TIMEOUT_MS },
  };
  const region = options.region ?? (custom ? 'us-east-1' : undefined);
  if (region !== undefined) config.region = region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  const requestChecksums = options.requestChecksumCalculation ?? (custom ? 'WHEN_REQUIRED' : undefined);
  const responseChecksums = options.responseChecksumValidation ?? (custom ? 'WHEN_REQUIRED' : undefined);
  if (requestChecksums !== undefined) config.requestChecksumCalculation = requestChecksums;
  if (responseChecksums !== undefined) config.responseChecksumValidation = responseChecksums;
  return new S3Client(config);
}
