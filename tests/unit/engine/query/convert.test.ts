/**
 * Result rows share the store's values (query/convert.ts toIon, SELECT * in partiql/eval): what
 * an application then does to the rows it was handed must change nothing stored.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { toText } from "../../../../engine/index.ts";
import type { IonValue } from "../../../../engine/ion/value.ts";
import { withLedger } from "../../../helpers/ledger.ts";

const DOCS = "`{name: \"a\", tags: [x, {deep: [1, 2]}], owner: {first: \"M\", n: 1.50}}`";
const STORED = '{name: "a", tags: [x, {deep: [1, 2]}], owner: {first: "M", n: 1.50}}';

/** Changes every container in `v`, as far down as it goes. */
function vandalize(v: unknown): void {
  if (v === null || typeof v !== "object") return;
  const o = v as Record<string, unknown> & { fields?: unknown[][]; items?: unknown[] };
  if (Array.isArray(o.fields)) {
    for (const f of o.fields) vandalize(f[1]);
    for (const f of o.fields) f[0] = "renamed";
    o.fields.push(["added", { kind: "int", value: 9n }]);
  } else if (Array.isArray(o.items)) {
    for (const i of o.items) vandalize(i);
    o.items.push({ kind: "int", value: 9n });
  } else if (Array.isArray(v)) {
    for (const i of v) vandalize(i);
    v.push(9);
  } else if (!(v instanceof Uint8Array)) {
    for (const k of Object.keys(o)) {
      vandalize(o[k]);
      o[k] = "changed";
    }
    o.added = 9;
  }
}

const STATEMENTS = [
  "SELECT * FROM t",
  "SELECT VALUE x FROM t AS x",
  "SELECT x.tags, x.owner FROM t AS x",
  "SELECT VALUE [x, x.owner, <<x.tags>>] FROM t AS x",
  "SELECT x.*, 1 AS one FROM t AS x",
  "SELECT VALUE {'a': x.owner, 'm': x.missing} FROM t AS x",
  "SELECT * FROM t AS x, t AS y",
  "SELECT VALUE x.data FROM history(t) AS x",
  "SELECT * FROM t WHERE name = 'a'",
];

for (const statement of STATEMENTS) {
  test(`rows of ${statement}, changed by the application, change nothing stored`, () =>
    withLedger(async (ledger) => {
      await ledger.execute("CREATE TABLE t");
      await ledger.execute("CREATE INDEX ON t (name)");
      await ledger.execute(`INSERT INTO t ${DOCS}`);
      const before = (await ledger.executeIon(statement)).map((v: IonValue) => toText(v));
      for (let round = 0; round < 2; round++) {
        for (const row of await ledger.executeIon(statement)) vandalize(row);
        for (const row of await ledger.execute(statement)) vandalize(row);
        await ledger.transaction(async (tx) => {
          for (const row of await tx.executeIon(statement)) vandalize(row);
          for (const row of await tx.execute(statement)) vandalize(row);
        });
      }
      assert.deepEqual((await ledger.executeIon(statement)).map((v: IonValue) => toText(v)), before);
      assert.deepEqual((await ledger.executeIon("SELECT VALUE x FROM t AS x")).map((v: IonValue) => toText(v)), [STORED]);
      assert.equal((await ledger.verify()).ok, true);
    }));
}
