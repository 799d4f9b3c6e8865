/**
 * @module store/s3-copy
 * Server-side copy of a staged upload to its final key with its final metadata. S3 allows a
 * single CopyObject only up to 5 GiB; beyond that the copy is a multipart upload whose parts are
 * byte ranges of the source (UploadPartCopy), completed in one atomic step or aborted.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectMetadata } from './backup-store.js';

/** S3's limit for CopyObject and for one UploadPartCopy part. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
const CONTENT_TYPE = 'application/octet-stream';

export interface CopyRequest {
  bucket: string;
  sourceKey: string;
  targetKey: string;
  /** Size of the source in bytes, known from the upload that staged it. */
  size: number;
  metadata: ObjectMetadata;
  /** Objects larger than this are copied part by part (default 5 GiB, S3's limit). */
  maxSingleCopyBytes?: number;
  /** Preferred part size for a multipart copy; raised when 10,000 parts would not cover the object. */
  copyPartSize?: number;
  /** Parts copied at once; the bytes move inside S3, so this costs no local memory. */
  copyConcurrency?: number;
}

export async function copyToFinalKey(client: S3Client, request: CopyRequest): Promise<void> {
  const { bucket, sourceKey, targetKey, size, metadata } = request;
  if (size <= (request.maxSingleCopyBytes ?? MAX_SINGLE_COPY_BYTES)) {
    await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: targetKey,
        CopySource: copySource(bucket, sourceKey),
        MetadataDirective: 'REPLACE',
        Metadata: metadata,
        ContentType: CONTENT_TYPE,
      }),
    );
    return;
  }
  await copyInParts(client, request);
}

async function copyInParts(client: S3Client, request: CopyRequest): Promise<void> {
  const { bucket, sourceKey, targetKey, size, metadata } = request;
  const partSize = Math.max(request.copyPartSize ?? 512 * 1024 ** 2, Math.ceil(size / MAX_PARTS));
  if (partSize > MAX_SINGLE_COPY_BYTES) throw new Error(`object of ${size} bytes is larger than S3 allows`);
  const created = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: targetKey, Metadata: metadata, ContentType: CONTENT_TYPE }),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
  try {
    const ranges: Array<{ partNumber: number; first: number; last: number }> = [];
    for (let first = 0, partNumber = 1; first < size; first += partSize, partNumber += 1) {
      ranges.push({ partNumber, first, last: Math.min(first + partSize, size) - 1 });
    }
    const parts: CompletedPart[] = [];
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      for (let range = ranges[next++]; range !== undefined && !failed; range = ranges[next++]) {
        const copied = await client.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: targetKey,
            UploadId: uploadId,
            PartNumber: range.partNumber,
            CopySource: copySource(bucket, sourceKey),
            CopySourceRange: `bytes=${range.first}-${range.last}`,
          }),
        );
        parts.push({ PartNumber: range.partNumber, ETag: copied.CopyPartResult?.ETag });
      }
    };
    // Settle every worker before aborting, so no part lands after the abort; stop handing out parts on the first failure.
    const results = await Promise.allSettled(
      Array.from({ length: request.copyConcurrency ?? 4 }, () => worker().catch((error: unknown) => {
        failed = true;
        throw error;
      })),
    );
    const rejected = results.find((result) => result.status === 'rejected');
    if (rejected !== undefined) throw rejected.reason;
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: targetKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    // Unfinished parts are invisible but billed; abort so none linger.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: targetKey, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
}

/** `x-amz-copy-source` is `bucket/key`, URL-encoded by the caller (the SDK sends it as given). */
function copySource(bucket: string, key: string): string {
  return [bucket, ...key.split('/')].map(encodeURIComponent).join('/');
}
