/**
 * @module test/support/s3rver-child
 * Runs s3rver in its own Node process for `startS3Server` (test/support/s3-server.ts). The parent
 * starts it with NODE_OPTIONS=--openssl-legacy-provider, which s3rver needs for listing
 * continuation tokens (DES) on OpenSSL 3, and which must stay out of the test process itself.
 *
 * Config comes as JSON in argv[2]: { directory, bucket }. The listening port goes back over IPC.
 *
 * s3rver 3.7 lacks two multipart operations our S3 store relies on: AbortMultipartUpload
 * (it answers 405) and UploadPartCopy (501). They are added below, following the S3 API reference,
 * on top of s3rver's own file store, so the abort and >5 GiB-copy paths run over real HTTP.
 * Unlike s3rver's own routes these two skip signature checking.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import S3rver from 's3rver';
import S3Error from 's3rver/lib/models/error.js';

const { directory, bucket } = JSON.parse(process.argv[2] ?? '{}');

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});

/** Koa middleware for the two missing operations; everything else goes on to s3rver's router. */
async function missingMultipartOperations(ctx, next) {
  const uploadId = ctx.query.uploadId;
  const [, bucketName, ...keyParts] = ctx.path.split('/');
  if (typeof uploadId !== 'string' || !bucketName || keyParts.length === 0) return next();
  if (!/^[0-9a-f]+$/.test(uploadId)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
  const uploadDir = join(ctx.store.getResourcePath(bucketName, undefined, 'uploads'), uploadId);
  const exists = await stat(uploadDir).then(() => true, () => false);

  if (ctx.method === 'DELETE') {
    if (!exists) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }

  if (ctx.method === 'PUT' && 'x-amz-copy-source' in ctx.headers) {
    if (!exists) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
    const source = decodeURIComponent(ctx.get('x-amz-copy-source')).replace(/^\//, '');
    const [sourceBucket = '', ...sourceKeyParts] = source.split('/');
    const range = /^bytes=(\d+)-(\d+)$/.exec(ctx.get('x-amz-copy-source-range'));
    const object = await ctx.store.getObject(
      sourceBucket,
      sourceKeyParts.join('/'),
      range ? { start: Number(range[1]), end: Number(range[2]) } : undefined,
    );
    if (!object || !object.content) {
      throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: sourceKeyParts.join('/') });
    }
    const { md5 } = await ctx.store.putPart(bucketName, uploadId, String(ctx.query.partNumber), object.content);
    ctx.body = { CopyPartResult: { LastModified: new Date().toISOString(), ETag: JSON.stringify(md5) } };
    return;
  }
  return next();
}

// Just before s3rver's router (the last middleware), after its logging and XML encoding.
server.middleware.splice(server.middleware.length - 1, 0, missingMultipartOperations);

const { port } = await server.run();
process.send?.({ port });
// The test process went away without stopping us: do not linger.
process.on('disconnect', () => process.exit(0));
