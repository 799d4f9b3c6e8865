/**
 * @module crc32-combine zlib's crc32_combine, which Node does not expose: the CRC-32 of A followed
 * by B from the CRC-32s of A and B and B's length, by multiplying in GF(2) modulo the CRC
 * polynomial (as zlib's crc32.c does since 1.2.12). Lets the snapshot generator reuse the CRC of
 * filler it has sent before instead of running a GiB through crc32 again.
 */
const POLY = 0xedb88320;

/** a × b modulo the polynomial, both reflected as CRC-32 keeps them. */
function multModP(a: number, b: number): number {
  let m = 1 << 31;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31. */
const X2N: number[] = [1 << 30];
for (let k = 1; k < 32; k += 1) X2N.push(multModP(X2N[k - 1]!, X2N[k - 1]!));

/** x^(n × 2^k) modulo the polynomial; n may exceed 32 bits. */
function x2nModP(n: number, k: number): number {
  let p = 1 << 31;
  for (; n > 0; n = Math.floor(n / 2), k += 1) if (n % 2 === 1) p = multModP(X2N[k & 31]!, p);
  return p;
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}
