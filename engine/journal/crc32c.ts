/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every journal frame
 * and segment header.
 *
 * Castagnoli rather than the zlib CRC-32 because it detects more error patterns at the lengths
 * we checksum and is what storage formats (iSCSI, ext4, LevelDB) settled on. Slicing-by-16 keeps
 * it near 0.4 ns a byte in JS, well under the cost of the fdatasync it guards (slicing-by-8 with
 * a Uint32Array table: 544 ns → 339 ns for an 880-byte frame under Bun).
 *
 * The streaming form (`crc32cUpdate` on the raw register, `~` at both ends done by the caller
 * through `crc32c`/`crc32cFinish`) lets the journal seed a checksum with the strand id without
 * copying it in front of every payload.
 */

/** Table s holds the CRC of byte n followed by s zero bytes, at [s * 256 + n]. */
const TABLES: Int32Array = (() => {
  const t = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 16; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c;
    }
  }
  return t;
})();

/** The register before any byte: the standard initial value. */
export const CRC32C_INIT = 0xffffffff;

/** Feeds `bytes[start, end)` into a running register (not yet finished). */
export function crc32cUpdate(reg: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLES;
  let c = reg | 0;
  let i = start;
  const end16 = end - ((end - i) & 15);
  while (i < end16) {
    const w = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c = t[3840 + (w & 0xff)] ^ t[3584 + ((w >>> 8) & 0xff)] ^ t[3328 + ((w >>> 16) & 0xff)] ^ t[3072 + (w >>> 24)] ^
      t[2816 + bytes[i + 4]] ^ t[2560 + bytes[i + 5]] ^ t[2304 + bytes[i + 6]] ^ t[2048 + bytes[i + 7]] ^
      t[1792 + bytes[i + 8]] ^ t[1536 + bytes[i + 9]] ^ t[1280 + bytes[i + 10]] ^ t[1024 + bytes[i + 11]] ^
      t[768 + bytes[i + 12]] ^ t[512 + bytes[i + 13]] ^ t[256 + bytes[i + 14]] ^ t[bytes[i + 15]];
    i += 16;
  }
  while (i < end) c = t[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** Turns a running register into the checksum value. */
export function crc32cFinish(reg: number): number {
  return (~reg) >>> 0;
}

/** CRC-32C of `bytes[start, end)`. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cFinish(crc32cUpdate(CRC32C_INIT, bytes, start, end));
}
