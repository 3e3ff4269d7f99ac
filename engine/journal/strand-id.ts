/**
 * Strand ids: QLDB names a journal's single strand with a 22-character base62 string. Ours is
 * 128 random bits, so two journals never share one, and a segment copied in from another
 * journal is caught by its header (and by its frame checksums, which are seeded with the id).
 */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 62^22 > 2^128, so 22 digits always suffice; shorter values are left-padded with "0". */
export const STRAND_ID_LENGTH = 22;

export function newStrandId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < STRAND_ID_LENGTH; i++) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

export function isStrandId(s: string): boolean {
  return s.length === STRAND_ID_LENGTH && /^[0-9A-Za-z]+$/.test(s);
}
