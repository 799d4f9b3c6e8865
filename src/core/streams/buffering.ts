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
 * collected it. 256 KiB read no faster than 128 KiB (0.75 s per GiB hashed either way) but more of
 * the read buffers outlived a young-generation collection, and those are only freed by a full one,
 * which V8 starts when 64 MB of them have piled up: a 1 GiB dry-run restore peaked at 150–153 MB
 * RSS on Node 26 and a full restore at 170–173 MB (the upload to Vault reads the plaintext file);
 * with 128 KiB, 122–123 and 132–136 MB, and the same MB/s.
 */
export const FILE_READ_BYTES = 128 * 1024;
