// Packed revisions (txn/store.ts: Ion binary in shared 64 KiB arena chunks, encodings above
// 16 KiB in their own arrays) read back exactly through every public history read, whatever
// their types and sizes, and nothing an application does to a value it got back changes a later
// read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ionEquals, ionLiteral, Ledger, parseText, toText, type IonStruct, type IonValue, verifyRevision } from "../../../../engine/index.ts";
import { storeOf } from "../../../../engine/api/ledger.ts";
import { FaultyFileLayer } from "../../../../engine/journal/faulty-file-layer.ts";

const blob = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, j) => (seed * 31 + j * 7) & 255)).toString("base64");

/** Ion text of revision `i` of a document; `pad` values of padding make it medium or large. */
function docText(i: number, pad: number): string {
  const s = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".slice(0, i % 60);
  return `{
    i: ${i},
    big: ${BigInt(i) * 123456789012345678901234567890n + 7n},
    neg: -${BigInt(i + 1) * 98765432109876543210n},
    d: ${i}.${String(i).padStart(3, "0")}d-${i % 7},
    d2: -0.0, d3: 12345678901234567890123456789.${i}d5,
    f: ${i}.5e0, inf: +inf, nz: -0e0,
    ts: [2024T, 2024-02T, 2024-02-29, 2024-02-29T23:59-08:00, 2024-03-01T00:00:${String(i % 60).padStart(2, "0")}.${String(i).padStart(6, "0")}+05:30, 2000-01-01T00:00:00.000Z, 1999-12-31T23:59:59-00:00],
    s: "${s}", u: "héllo ${i} ✓ 𝄞", e: "",
    sym: 'sym ${i}', sym2: a, sym3: 'with space',
    ann: x::y::{ r: 1, r: 2, r: "three", r: { r: [r] } },
    ann2: 'a b'::[1, 2, z::3],
    lob: {{${blob(i % 130, i)}}}, lob64: {{${blob(64, i)}}}, lob65: {{${blob(65, i)}}},
    clob: {{"clob ${i} \\x01\\xff"}}, bigclob: {{"${"c".repeat(70)}${i}"}},
    nested: { a: [ { b: (+ 1 a ${i}) }, [], {}, null.int, null.struct, null ], a: true, a: false },
    empty: {{}},
    pad: [${Array.from({ length: pad }, (_, j) => (i * 1000 + j) % 50000).join(",")}],
  }`;
}

const parse = (t: string) => parseText(t)[0] as IonStruct;
const fieldOf = (s: IonValue, name: string) => (s as IonStruct).fields.find((f) => f[0] === name)![1];

test("packed revisions of every Ion type read back exactly through history, getRevision and history(t); handed-out blobs are copies", async () => {
  const ledger = await Ledger.open("/ledger", { fs: new FaultyFileLayer() });
  try {
    await ledger.execute("CREATE TABLE t");
    // small (< 1 KiB), medium (~3-5 KiB: many per chunk, crossing chunk ends) and large (> 16 KiB: own array)
    const kinds: [string, number][] = [["small", 0], ["medium", 1500], ["large", 6000], ["small2", 3]];
    const written = new Map<string, IonStruct[]>();
    const ids: string[] = [];
    await ledger.transaction(async (tx) => {
      for (const [, pad] of kinds) {
        const d = parse(docText(0, pad));
        const id = await tx.insert("t", ionLiteral(d));
        ids.push(id);
        written.set(id, [parse(docText(0, pad))]);
      }
    });
    const N = 80;
    for (let i = 1; i <= N; i++) {
      await ledger.transaction(async (tx) => {
        // Sizes interleave (small, large, small, medium...) in the packing order.
        for (let k = 0; k < kinds.length; k++) {
          if (kinds[k][0] === "large" && i % 3 !== 0) continue;
          await tx.update("t", ids[k], ionLiteral(parse(docText(i, kinds[k][1]))));
          written.get(ids[k])!.push(parse(docText(i, kinds[k][1])));
        }
      });
    }
    type Kept = { packed: boolean };
    for (const id of ids) {
      const revs = storeOf(ledger).docs.get(id)!.revisions as unknown as Kept[];
      assert.ok(revs.filter((r) => r.packed).length >= revs.length - 65, `${id}: ${revs.filter((r) => r.packed).length} of ${revs.length} packed`);
    }

    const check = async (when: string) => {
      const digest = await ledger.getDigest();
      for (const id of ids) {
        const expected = written.get(id)!;
        const history = await ledger.transaction((tx) => tx.history("t", id));
        assert.equal(history.length, expected.length);
        for (let v = 0; v < expected.length; v++) {
          const got = history[v].data!;
          assert.ok(ionEquals(got, expected[v]), `${when}: history ${id} v${v}\n${toText(got)}\n${toText(expected[v])}`);
          assert.equal(toText(got), toText(expected[v]));
          const { revision, proof } = await ledger.getRevision({ blockAddress: history[v].blockAddress, documentId: id });
          assert.ok(ionEquals(revision.data!, expected[v]), `${when}: getRevision ${id} v${v}`);
          assert.equal(verifyRevision(revision, proof, digest), true);
        }
      }
      const rows = await ledger.executeIon("SELECT h.metadata.id AS id, h.metadata.version AS v, h.data AS data FROM history(t) AS h");
      assert.equal(rows.length, [...written.values()].reduce((n, w) => n + w.length, 0));
      for (const row of rows) {
        const id = (fieldOf(row, "id") as { value: string }).value;
        const v = Number((fieldOf(row, "v") as { value: bigint }).value);
        assert.ok(ionEquals(fieldOf(row, "data"), written.get(id)![v]), `${when}: history(t) ${id} v${v}`);
      }
    };
    await check("first read");

    // Change every blob, clob, list and struct an application got back: later reads unchanged.
    const scribble = (v: IonValue): void => {
      switch (v.kind) {
        case "blob": case "clob": v.bytes.fill(0x55); break;
        case "list": case "sexp": v.items.forEach(scribble); (v.items as IonValue[]).push({ kind: "int", value: 666n }); break;
        case "struct": v.fields.forEach((f) => scribble(f[1])); (v.fields as [string, IonValue][]).push(["zz", { kind: "null", of: "null" }]); break;
      }
    };
    for (const id of ids) {
      const history = await ledger.transaction((tx) => tx.history("t", id));
      for (const r of history) scribble(r.data!);
      for (const r of history) scribble((await ledger.getRevision({ blockAddress: r.blockAddress, documentId: id })).revision.data!);
    }
    for (const row of await ledger.executeIon("SELECT * FROM history(t) AS h")) scribble(row);
    for (const row of await ledger.executeIon("SELECT * FROM t")) scribble(row);
    await check("after scribbling on what was handed out");
  } finally {
    await ledger.close();
  }
});
