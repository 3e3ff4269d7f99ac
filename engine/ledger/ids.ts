/**
 * Document, transaction and strand ids: 22 base62 characters holding 128 random bits,
 * as QLDB's are (62^22 > 2^128, so every 128-bit value has a distinct id).
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const ID_LENGTH = 22;

/** A fresh random id. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < ID_LENGTH; i++) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

/** True for a syntactically valid id. */
export function isId(s: unknown): s is string {
  return typeof s === "string" && s.length === ID_LENGTH && /^[0-9A-Za-z]+$/.test(s);
}
