/**
 * @module streams/buffering
 * Buffer size for the byte streams of a backup or restore. Node's 16 KiB default makes every stage
 * wait for the next after each chunk; zlib and file writes run on the threadpool, so a little more
 * buffering lets hashing, encryption, inflation and disk writes overlap. Memory stays bounded: a
 * handful of stages × 1 MiB, whatever the snapshot size.
 */
export const STREAM_BUFFER_BYTES = 1024 * 1024;
