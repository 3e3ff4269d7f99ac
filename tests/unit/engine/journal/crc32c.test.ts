import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32c, crc32cFinish, crc32cUpdate, CRC32C_INIT } from "../../../../engine/journal/crc32c.ts";

test("crc32c matches the RFC 3720 / iSCSI check values", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test("crc32c streamed in pieces equals one pass, at any split", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, cut) => {
      const k = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
      const streamed = crc32cFinish(crc32cUpdate(crc32cUpdate(CRC32C_INIT, bytes, 0, k), bytes, k));
      assert.equal(streamed, crc32c(bytes));
      assert.equal(crc32c(bytes, 0, k), crc32c(bytes.slice(0, k)));
    }),
  );
});
