/**
 * @module streams/buffering
 * Buffer size for the byte streams of a backup or restore. Node's 16 KiB default makes every stage
 * wait for the next after each chunk; zlib and file writes run on the threadpool, so a little more
 * buffering lets hashing, encryption, inflation and disk writes overlap. Memory stays bounded: a
 * handful of stages × 1 MiB, whatever the snapshot size.
 */
export const STREAM_BUFFER_BYTES = 1024 * 1024;

/**
 * Read size for files a backup or restore streams from disk. 64 KiB reads made a read-back verify
 * take 2.6 s per GiB; 1 MiB ones allocated garbage fast enough to add 26 MB to peak RSS before V8
 * collected it. 256 KiB: 1.4 s per GiB with no rise.
 */
export const FILE_READ_BYTES = 256 * 1024;
