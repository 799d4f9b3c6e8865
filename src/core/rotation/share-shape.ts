/**
 * @module rotation/share-shape
 * Does a chat message look like an unseal key share? Vault shares are 32 bytes (a single share)
 * or 33 bytes (the key plus Shamir's x byte), shown as hex (64 or 66 digits) or base64 (44
 * characters). Only the shape is checked; the text is never stored, logged or compared with keys.
 */

const SHARE_BYTES = new Set([32, 33]);
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function looksLikeKeyShare(text: string): boolean {
  return text
    .split(/[\s`'"“”‘’,;:()<>[\]{}|]+/)
    .some((word) => {
      if (word.length < 40 || word.length > 70) return false;
      if (HEX.test(word) && word.length % 2 === 0) return SHARE_BYTES.has(word.length / 2);
      if (BASE64.test(word) && word.length % 4 === 0) return SHARE_BYTES.has(Buffer.from(word, 'base64').length);
      return false;
    });
}
