/**
 * The client defaults that keep S3-compatible endpoints byte-exact (reference/s3-testing.md, gap 2).
 * Lib-storage's Upload sends buffered parts, so the streamed-upload test passes in either mode;
 * these pin the defaults for any later streamed PutObject.
 */
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/core/store/s3-client.js';

describe('createS3Client', () => {
  it('uses WHEN_REQUIRED checksums and region us-east-1 when a custom endpoint is set', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(await client.config.region()).toBe('us-east-1');
    client.destroy();
  });

  it('lets the operator choose otherwise', async () => {
    const client = createS3Client({
      endpoint: 'https://minio.internal',
      region: 'eu-central-1',
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
    });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_SUPPORTED');
    expect(await client.config.region()).toBe('eu-central-1');
    client.destroy();
  });

  it("keeps the SDK's defaults for AWS itself", async () => {
    const client = createS3Client({ region: 'eu-west-1' });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    client.destroy();
  });
});
