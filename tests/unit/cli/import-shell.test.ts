/**
 * `quire import` (documents from an Ion or JSON file into a table) and `quire shell` (statements
 * from standard input), as DESIGN.md lists them among the `quire` commands.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../cli/quire.ts";
import { splitStatements, StatementScanner } from "../../../cli/shell-command.ts";
import fc from "fast-check";
import { encodeBinary, ion, Ledger } from "../../../engine/index.ts";
import { withTempDir } from "../../helpers/tmp.ts";

async function quire(cwd: string, argv: string[], stdin?: string): Promise<{ code: number; out: string[]; err: string[]; read: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let read = 0;
  async function* lines() {
    for (const l of stdin!.split("\n")) {
      read++;
      yield l;
    }
  }
  const code = await run(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd,
    ...(stdin === undefined ? {} : { input: { lines: lines() } }),
  });
  return { code, out, err, read };
}

async function rows(dir: string, statement: string): Promise<unknown[]> {
  const ledger = await Ledger.open(dir);
  try {
    return await ledger.execute(statement);
  } finally {
    await ledger.close();
  }
}

test("import reads JSON and Ion documents, one transaction per batch, and --create makes ledger and table", () =>
  withTempDir(async (dir) => {
    fs.writeFileSync(path.join(dir, "cars.json"), '[{"VIN": "1", "Price": 79999.99}, {"VIN": "2"}]\n{"VIN": "3"}\n');
    fs.writeFileSync(path.join(dir, "more.ion"), '{VIN: "4", Year: 2021, Sold: 2021-05-06T07:08:09Z}');
    const missing = await quire(dir, ["import", "ledger", "cars", "cars.json"]);
    assert.equal(missing.code, 1);
    assert.match(missing.err.join("\n"), /no ledger in/);

    const first = await quire(dir, ["import", "ledger", "cars", "cars.json", "--create", "--batch", "2"]);
    assert.equal(first.code, 0, first.err.join("\n"));
    assert.deepEqual(first.out, ['{table: "cars", documents: 3, transactions: 2}']);
    const second = await quire(dir, ["import", "ledger", "cars", "more.ion"]);
    assert.equal(second.code, 0, second.err.join("\n"));

    const ledgerDir = path.join(dir, "ledger");
    assert.deepEqual(await rows(ledgerDir, "SELECT VALUE VIN FROM cars ORDER BY VIN"), ["1", "2", "3", "4"]);
    // A JSON number with a fraction is the Ion decimal it spells, not a float.
    const ledger = await Ledger.open(ledgerDir);
    try {
      const [price] = await ledger.executeIon("SELECT VALUE Price FROM cars WHERE VIN = '1'");
      assert.deepEqual(price, { kind: "decimal", coefficient: 7999999n, exponent: -2, negative: false });
      // Three import transactions (batches of 2 then 1, then the Ion file) plus the table's creation.
      assert.equal((await ledger.getDigest()).digestTipAddress.sequenceNo, 3);
      assert.equal((await ledger.verify()).ok, true);
    } finally {
      await ledger.close();
    }
  }));

test("import checks the whole file first: one value that is not a document imports nothing", () =>
  withTempDir(async (dir) => {
    fs.writeFileSync(path.join(dir, "bad.ion"), '{VIN: "1"} [{VIN: "2"}, 3] {VIN: "4"}');
    const r = await quire(dir, ["import", "ledger", "cars", "bad.ion", "--create"]);
    assert.equal(r.code, 1);
    assert.match(r.err.join("\n"), /value 2, item 2 is a int, not a document/);
    assert.equal(fs.existsSync(path.join(dir, "ledger")), false, "nothing was created");
    const usage = await quire(dir, ["import", "ledger", "cars", "bad.ion", "--batch", "0"]);
    assert.equal(usage.code, 2);
  }));

test("import into a table that does not exist, without --create, is TABLE_NOT_FOUND", () =>
  withTempDir(async (dir) => {
    fs.writeFileSync(path.join(dir, "one.ion"), '{VIN: "1"}');
    assert.equal((await quire(dir, ["import", "ledger", "cars", "one.ion", "--create"])).code, 0);
    const r = await quire(dir, ["import", "ledger", "people", "one.ion"]);
    assert.equal(r.code, 1);
    assert.match(r.err.join("\n"), /TABLE_NOT_FOUND/);
  }));

test("shell runs statements ending in ; or a blank line, BEGIN … COMMIT/ABORT, and reports errors", () =>
  withTempDir(async (dir) => {
    const script = [
      "CREATE TABLE cars;",
      "INSERT INTO cars VALUE {'VIN': '1', 'Make': 'Tesla'};",
      "BEGIN",
      "UPDATE cars SET Make = 'X' WHERE VIN = '1';",
      "SELECT VALUE Make FROM cars WHERE VIN = '1'",
      "",
      "ABORT",
      "SELECT VALUE Make",
      "  FROM cars;",
      "begin",
      "UPDATE cars SET Make = 'Y' WHERE VIN = '1';",
      "commit",
      "SELECT FROM WHERE;",
      "SELECT VALUE Make FROM cars;",
      "EXIT",
      "SELECT VALUE 'not reached' FROM cars;",
    ].join("\n");
    const r = await quire(dir, ["shell", "ledger", "--create"], script);
    assert.equal(r.code, 1, "one statement failed");
    assert.equal(r.err.length, 1);
    assert.match(r.err[0], /^PARSE_ERROR: /);
    const id = r.out[1];
    assert.match(r.out[0], /^\{tableId: "\w{22}"\}$/);
    assert.match(id, /^\{documentId: "\w{22}"\}$/);
    // Each UPDATE prints the document's id; the SELECT in the aborted transaction saw its write.
    assert.deepEqual(r.out.slice(2), [id, '"X"', '"Tesla"', id, '"Y"']);
    assert.deepEqual(await rows(path.join(dir, "ledger"), "SELECT VALUE Make FROM cars"), ["Y"]);
  }));

test("shell: a statement that fails in a transaction fails it: the rest is refused and COMMIT aborts it", () =>
  withTempDir(async (dir) => {
    // An error in the middle of BEGIN … COMMIT let COMMIT write the statements around it.
    const script = [
      "CREATE TABLE t;",
      "BEGIN",
      "INSERT INTO t VALUE {'z': 1};",
      "SELECT * FROM NoSuchTable;",
      "INSERT INTO t VALUE {'z': 2};",
      "COMMIT",
      "SELECT VALUE COUNT(*) FROM t;",
      "BEGIN",
      "INSERT INTO t VALUE {'z': 3};",
      "BEGIN",
      "COMMIT",
      "SELECT VALUE z FROM t;",
    ].join("\n");
    const r = await quire(dir, ["shell", "ledger", "--create"], script);
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 4, r.err.join("\n"));
    assert.match(r.err[0], /^TABLE_NOT_FOUND: /);
    assert.match(r.err[1], /a statement failed in this transaction: ABORT it/);
    assert.match(r.err[2], /it was aborted, not committed/);
    // A shell command refused inside a transaction (BEGIN twice) does not fail it.
    assert.match(r.err[3], /a transaction is already open/);
    // The table's id, the first insert's document id, the count, the third insert's id, its z.
    assert.equal(r.out.length, 5, r.out.join("\n"));
    assert.deepEqual([r.out[2], r.out[4]], ["0", "3"]);
    assert.deepEqual(await rows(path.join(dir, "ledger"), "SELECT VALUE z FROM t"), [3]);
  }));

test("shell aborts a transaction the input leaves open, and needs standard input", () =>
  withTempDir(async (dir) => {
    assert.equal((await quire(dir, ["shell", "ledger", "--create"], "CREATE TABLE t")).code, 0);
    const open = await quire(dir, ["shell", "ledger"], "BEGIN;\nINSERT INTO t VALUE {'a': 1};");
    assert.equal(open.code, 1);
    assert.match(open.err.join("\n"), /aborted/);
    assert.deepEqual(await rows(path.join(dir, "ledger"), "SELECT * FROM t"), []);
    assert.equal((await quire(dir, ["shell", "ledger"])).code, 2);
    assert.equal((await quire(dir, ["shell", "nothere"], "SELECT 1")).code, 1);
  }));

test("import refuses a repeated field name or an oversized document before writing, and splits batches by bytes", () =>
  withTempDir(async (dir) => {
    fs.writeFileSync(path.join(dir, "dup.json"), '[{"VIN": "1"}, {"x": {"b": [{"c": 1, "c": 2}]}}]');
    const dup = await quire(dir, ["import", "ledger", "cars", "dup.json", "--create"]);
    assert.equal(dup.code, 1);
    assert.match(dup.err.join("\n"), /value 1, item 2 repeats the field x\.b\[0\]\.c/);
    fs.writeFileSync(path.join(dir, "huge.ion"), `{VIN: "1"} {big: "${"x".repeat(9 * 1024 * 1024)}"}`);
    const huge = await quire(dir, ["import", "ledger", "cars", "huge.ion", "--create"]);
    assert.equal(huge.code, 1);
    assert.match(huge.err.join("\n"), /value 2 is \d+ bytes of Ion; a document may have 8388608/);
    assert.equal(fs.existsSync(path.join(dir, "ledger")), false);
    // 40 documents of 1 MiB: one batch of 100 would be a 40 MiB block; batches keep under 32 MiB.
    // Written as Ion binary: ion-js reads text strings a character at a time, and 40 MiB of text
    // took 4-9 s here, close to bun test's default timeout.
    const big = "y".repeat(1 << 20);
    fs.writeFileSync(path.join(dir, "mb.10n"), encodeBinary(Array.from({ length: 40 }, (_, i) => ion.struct([["i", ion.int(i)], ["big", ion.string(big)]]))));
    const mb = await quire(dir, ["import", "ledger", "cars", "mb.10n", "--create"]);
    assert.equal(mb.code, 0, mb.err.join("\n"));
    assert.deepEqual(mb.out, ['{table: "cars", documents: 40, transactions: 2}']);
  }));

test("splitStatements ends statements at ; outside strings, quoted names, Ion literals and comments", () => {
  const cases: [string, string[], string, boolean][] = [
    ["SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"], "", false],
    ["INSERT INTO t VALUE {'a': 'x;y'}; SELECT 2", ["INSERT INTO t VALUE {'a': 'x;y'}"], " SELECT 2", false],
    ["SELECT 'it''s;' FROM t;", ["SELECT 'it''s;' FROM t"], "", false],
    ['SELECT "a;b" FROM t;', ['SELECT "a;b" FROM t'], "", false],
    ["SELECT `{a: \"q;\"}` FROM t;", ["SELECT `{a: \"q;\"}` FROM t"], "", false],
    ["-- a comment; still\nSELECT 1;", ["-- a comment; still\nSELECT 1"], "", false],
    ["/* a ; */ SELECT 1;", ["/* a ; */ SELECT 1"], "", false],
    ["INSERT INTO t VALUE {'a': 'x;\n\nSELECT", [], "INSERT INTO t VALUE {'a': 'x;\n\nSELECT", true],
    ["SELECT 1 /* open", [], "SELECT 1 /* open", true],
  ];
  for (const [text, complete, rest, open] of cases) {
    assert.deepEqual(splitStatements(text), { complete, rest, open }, text);
  }
});

test("StatementScanner: text fed in any pieces gives the statements, rest and open state of splitting it whole", () => {
  const text = fc.array(fc.constantFrom("'", '"', "`", "-", "/", "*", ";", "a", " ", "\n"), { maxLength: 60 }).map((a) => a.join(""));
  fc.assert(
    fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (t, cuts) => {
      const at = [...new Set(cuts.map((c) => c % (t.length + 1)))].sort((a, b) => a - b);
      const scanner = new StatementScanner();
      const complete: string[] = [];
      let from = 0;
      for (const to of [...at, t.length]) {
        complete.push(...scanner.push(t.slice(from, to), to === t.length));
        from = to;
      }
      assert.deepEqual({ complete, rest: scanner.rest, open: scanner.open }, splitStatements(t), JSON.stringify({ t, at }));
    }),
    { numRuns: 3000 },
  );
});

test("StatementScanner: a statement of 50,000 lines is read in one pass (each line scanned once)", () => {
  const lines = ["INSERT INTO t `{"];
  for (let k = 1; k < 50_000; k++) lines.push(`  f${k}: "a value; with -- and /* inside",`);
  lines.push("}`;");
  const scanner = new StatementScanner();
  const complete: string[] = [];
  for (const line of lines) complete.push(...scanner.push(scanner.isEmpty ? line : "\n" + line));
  assert.deepEqual(complete, [lines.join("\n").slice(0, -1)]);
  assert.equal(scanner.isEmpty, true);
});

test("shell: several statements on a line, ; and blank lines inside strings, and EXIT stops reading", () =>
  withTempDir(async (dir) => {
    const script = [
      "-- a script: comments alone are no statements",
      "",
      "/* nor is",
      "   this one */",
      "CREATE TABLE t; INSERT INTO t VALUE {'a': 'x;",
      "",
      "SELECT 2'};",
      "SELECT VALUE a FROM t; SELECT VALUE COUNT(*) FROM t;",
      "EXIT",
      "SELECT VALUE 'never' FROM t;",
      "SELECT VALUE 'never' FROM t;",
    ].join("\n");
    const r = await quire(dir, ["shell", "ledger", "--create"], script);
    assert.equal(r.code, 0, r.err.join("\n"));
    assert.deepEqual(r.out.slice(2), ['"x;\\n\\nSELECT 2"', "1"]);
    assert.equal(r.read, 9, "nothing after EXIT is read");
  }));
