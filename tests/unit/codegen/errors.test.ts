import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Diagnostic, formatDiagnostic, generate, GenerateError } from "../../../codegen/index.ts";
import { fixture, FIXTURES, markerLine, ROOT, tempDir, withSchemaFile, write } from "./helpers.ts";

/** One fixture per unsupported type: the field path, and what the message and the fix must say. */
const EXPECTED: Record<string, { path: string; message: RegExp; fix: RegExp; code?: Diagnostic["code"] }> = {
  "any.ts": { path: "Anything.Extra", message: /`any` is not allowed/, fix: /actual type/ },
  "class.ts": { path: "Klass.Engine", message: /class Engine cannot be stored/, fix: /interface/ },
  "date.ts": { path: "Car.Owners[].Since", message: /Date is not supported/, fix: /use Temporal\.Instant/ },
  "function.ts": { path: "Fn.OnSold", message: /functions cannot be stored/, fix: /remove the field/ },
  "generic.ts": { path: "Generic.Boxed", message: /generic type Box<…> is not supported/, fix: /concrete interface/ },
  "index-signature.ts": { path: "Indexed.Extras", message: /index signatures are not supported/, fix: /Record<string, T>/ },
  "intersection.ts": { path: "Intersected.Owner", message: /intersection types are not supported/, fix: /one interface/ },
  "map.ts": { path: "Mapped.Attributes", message: /Map is not supported/, fix: /use Record<string, T>/ },
  "method.ts": { path: "Method.validate", message: /methods \(functions\) cannot be stored/, fix: /remove the method/ },
  "nested-index.ts": { path: "NestedIndex.Engine.Serial", message: /@index is only allowed on top-level fields/, fix: /top-level/, code: "BAD_INDEX" },
  "not-exported.ts": { path: "Hidden", message: /must be exported/, fix: /export interface Hidden/, code: "BAD_TABLE" },
  "number-literal-union.ts": { path: "Doors.Doors", message: /number literal unions \(2 \| 4\)/, fix: /Int or number/ },
  "record-keys.ts": { path: "RecordKeys.Prices", message: /keys must be string/, fix: /Record<string, T>/ },
  "recursive.ts": { path: "Club.Members[].Friends[]", message: /recursive type: Person/, fix: /id/, code: "RECURSIVE_TYPE" },
  "reserved-id.ts": { path: "ReservedId.id", message: /"id" is reserved for the document id/, fix: /rename the field/, code: "RESERVED_FIELD" },
  "reserved-proto.ts": { path: "ReservedProto.Inner.__proto__", message: /"__proto__" cannot be used: JavaScript objects take it for their prototype/, fix: /rename the field/, code: "RESERVED_FIELD" },
  "reserved-metadata.ts": { path: "ReservedMeta.metadata", message: /"metadata" is reserved/, fix: /rename the field/, code: "RESERVED_FIELD" },
  "set.ts": { path: "Setted.Tags", message: /Set is not supported/, fix: /use T\[\]/ },
  "temporal-zoned.ts": { path: "Zoned.At", message: /Temporal\.ZonedDateTime is not supported/, fix: /Temporal\.Instant .* or Temporal\.PlainDate/ },
  "symbol.ts": { path: "Symbolic.Key", message: /symbols cannot be stored/, fix: /string/ },
  "ts-enum.ts": { path: "Enumed.Fuel", message: /TypeScript enum Fuel/, fix: /union of string literals/ },
  "tuple.ts": { path: "Tupled.Position", message: /tuple types are not supported/, fix: /T\[\]/ },
  "undefined-union.ts": { path: "Undef.Owner", message: /`undefined` in a union/, fix: /optional/ },
  "unknown.ts": { path: "Unknowable.Extra", message: /`unknown` is not allowed/, fix: /actual type/ },
  "unrelated-union.ts": { path: "Mixed.Year", message: /union of unrelated types \(string \| number\)/, fix: /one type/ },
};

const UNSUPPORTED = path.join(FIXTURES, "unsupported");

function diagnosticsOf(schemaFiles: string[], cwd?: string): readonly Diagnostic[] {
  try {
    generate({ schemaFiles, outDir: path.join(FIXTURES, "golden"), runtimeImport: "quire", cwd });
  } catch (e) {
    assert.ok(e instanceof GenerateError, `expected a GenerateError, got ${e}`);
    return e.diagnostics;
  }
  assert.fail("expected generate to fail");
}

/**
 * The tables generated from `source`, which must take under 10 s: a schema that used to expand
 * exponentially (well under a second now; the bound only tells a regression from a slow machine).
 */
function generatedWithin10s(name: string, source: string) {
  return withSchemaFile(name, source, (file, dir) => {
    const started = performance.now();
    const { tables } = generate({ schemaFiles: [file], outDir: dir, runtimeImport: "quire" });
    assert.ok(performance.now() - started < 10_000, `took ${Math.round(performance.now() - started)} ms`);
    return tables;
  });
}

describe("codegen: unsupported types", () => {
  const files = fs.readdirSync(UNSUPPORTED).filter((f) => f.endsWith(".ts")).sort();
  // Every fixture in one run: all errors are reported at once, one per file, in a stable order.
  const all = diagnosticsOf(files.map((f) => path.join(UNSUPPORTED, f)));

  test("every fixture has an expectation and vice versa", () => {
    assert.deepEqual(files, Object.keys(EXPECTED).sort());
  });

  test("all errors are reported at once, sorted by file and line", () => {
    assert.equal(all.length, files.length, all.map((d) => formatDiagnostic(d)).join("\n"));
    assert.deepEqual(all.map((d) => path.basename(d.file)), files);
  });

  for (const file of files) {
    test(`${file}: file:line, field path and fix`, () => {
      const full = path.join(UNSUPPORTED, file);
      const mine = all.filter((d) => d.file === full);
      assert.equal(mine.length, 1, mine.map((d) => formatDiagnostic(d)).join("\n"));
      const d = mine[0];
      const want = EXPECTED[file];
      assert.equal(d.line, markerLine(full), `line of ${formatDiagnostic(d)}`);
      assert.equal(d.path, want.path);
      assert.match(d.message, want.message);
      assert.match(d.fix, want.fix);
      assert.equal(d.code, want.code ?? "UNSUPPORTED_TYPE");
      assert.equal(
        formatDiagnostic(d, ROOT),
        `tests/fixtures/codegen/unsupported/${file}:${d.line}: ${d.message} (${d.path}) — fix: ${d.fix}`,
      );
    });
  }

  test("a file on its own fails the same way (GenerateError message lists the errors)", () => {
    try {
      generate({ schemaFiles: [path.join(UNSUPPORTED, "date.ts")], outDir: FIXTURES, runtimeImport: "quire" });
      assert.fail("expected a GenerateError");
    } catch (e) {
      assert.ok(e instanceof GenerateError);
      assert.match(e.message, /1 error\n.*date\.ts:8: Date is not supported .*\(Car\.Owners\[\]\.Since\) — fix: use Temporal\.Instant/);
    }
  });
});

describe("codegen: more schema errors", () => {
  function errorsFor(source: string, name = "schema.ts"): readonly Diagnostic[] {
    const tmp = tempDir();
    try {
      return diagnosticsOf([write(path.join(tmp.dir, name), source)]);
    } finally {
      tmp.cleanup();
    }
  }
  const one = (source: string) => {
    const ds = errorsFor(source);
    assert.equal(ds.length, 1, ds.map((d) => formatDiagnostic(d)).join("\n"));
    return ds[0];
  };

  test("several errors in one table are all reported", () => {
    const ds = errorsFor(`/** @table cars */
export interface Car {
  id: string;
  When: Date;
  Tags: Set<string>;
  Ok: string;
  Owner: { Name: unknown };
}
`);
    assert.deepEqual(ds.map((d) => [d.line, d.path]), [[3, "Car.id"], [4, "Car.When"], [5, "Car.Tags"], [7, "Car.Owner.Name"]]);
  });

  test("no @table declarations", () => {
    const d = one("export interface Car { VIN: string }\n");
    assert.equal(d.code, "NO_TABLES");
    assert.match(d.fix, /@table/);
  });

  // TypeScript's parser recovers from these silently: the malformed fields simply vanish.
  for (const [what, source, line] of [
    ["a field without its colon", "/** @table things */\nexport interface Thing {\n  name: string;\n  age Int;\n}\n", 4],
    ["a doubled comma", "/** @table things */\nexport interface Thing {\n  name: string;\n  ok: boolean,,\n}\n", 4],
    ["an unclosed interface", "/** @table things */\nexport interface Thing {\n  name: string;\n", 4],
    ["a type missing", "/** @table things */\nexport interface Thing {\n  name: string;\n  age: ;\n}\n", 4],
  ] as const) {
    test(`a syntax error (${what}) is SYNTAX_ERROR at its line, and nothing else is reported`, () => {
      const ds = errorsFor(source);
      assert.ok(ds.length >= 1 && ds.every((d) => d.code === "SYNTAX_ERROR"), ds.map((d) => formatDiagnostic(d)).join("\n"));
      assert.equal(ds[0].line, line, formatDiagnostic(ds[0]));
    });
  }

  test("a syntax error in a file the schema imports is SYNTAX_ERROR there too", () => {
    const tmp = tempDir();
    try {
      const types = write(path.join(tmp.dir, "types.ts"), "export interface Address {\n  street: string;\n  zip Int;\n}\n");
      const schema = write(
        path.join(tmp.dir, "schema.ts"),
        'import type { Address } from "./types.ts";\n/** @table people */\nexport interface Person {\n  home: Address;\n}\n',
      );
      const ds = diagnosticsOf([schema]);
      assert.ok(ds.length >= 1 && ds.every((d) => d.code === "SYNTAX_ERROR" && d.file === types), ds.map((d) => formatDiagnostic(d)).join("\n"));
      assert.equal(ds[0].line, 3);
    } finally {
      tmp.cleanup();
    }
  });

  test("a schema file that is where the client would be written is OUTPUT_CLASH; nothing is written", () => {
    const tmp = tempDir();
    try {
      const schema = write(path.join(tmp.dir, "client.ts"), "/** @table cars */\nexport interface Car { VIN: string }\n");
      const before = fs.readFileSync(schema, "utf8");
      try {
        generate({ schemaFiles: [schema], outDir: tmp.dir, runtimeImport: "quire" });
        assert.fail("expected a GenerateError");
      } catch (e) {
        assert.ok(e instanceof GenerateError);
        assert.deepEqual(e.diagnostics.map((d) => d.code), ["OUTPUT_CLASH"]);
      }
      assert.equal(fs.readFileSync(schema, "utf8"), before);
    } finally {
      tmp.cleanup();
    }
  });

  test("missing file", () => {
    const ds = diagnosticsOf([path.join(FIXTURES, "does-not-exist.ts")]);
    assert.equal(ds[0].code, "FILE_NOT_FOUND");
  });

  test("lone surrogates in a field name or a string literal type are refused (UTF-8 cannot encode them)", () => {
    assert.match(one('/** @table cars */\nexport interface Car { "a\\uD800": string }\n').message, /field name with a lone surrogate/);
    assert.match(one('/** @table cars */\nexport interface Car { Fuel: "gas" | "\\uDC00" }\n').message, /string literal type with a lone surrogate/);
    assert.match(one('/** @table cars */\nexport interface Car { Fuel: "\\uDC00" }\n').message, /string literal type with a lone surrogate/);
  });

  test("bad table tags: no name, invalid name, on a class, twice", () => {
    assert.match(one("/** @table */\nexport interface Car { VIN: string }\n").fix, /@table cars/);
    assert.match(one("/** @table my-cars */\nexport interface Car { VIN: string }\n").message, /invalid table name "my-cars"/);
    // Names the engine keeps for system views are refused here, not first at connect().
    for (const reserved of ["_ql_cars", "_QL_committed_cars", "information_schema"]) {
      const d = one(`/** @table ${reserved} */\nexport interface Car { VIN: string }\n`);
      assert.match(d.message, /is reserved/, reserved);
      assert.match(d.fix, /@table|e\.g\. cars/, reserved);
    }
    assert.match(one("/** @table cars */\nexport class Car { VIN = '' }\n").message, /@table is on a ClassDeclaration/);
    assert.match(one("/** @table cars\n @table autos */\nexport interface Car { VIN: string }\n").message, /more than one @table/);
  });

  test("duplicate table names and clashing type names", () => {
    const d = one("/** @table cars */\nexport interface Car { VIN: string }\n/** @table cars */\nexport interface Auto { VIN: string }\n");
    assert.equal(d.code, "DUPLICATE_TABLE");
    assert.equal(d.line, 4);
    assert.equal(one("/** @table clients */\nexport interface Client { Name: string }\n").code, "NAME_CONFLICT");
  });

  test("a type alias table must be an object type; generic tables are rejected", () => {
    assert.match(one("/** @table cars */\nexport type Car = string;\n").message, /must be an object type/);
    assert.match(one("/** @table boxes */\nexport interface Box<T> { value: T }\n").message, /generic type Box/);
  });

  test("more unsupported types: boolean literal, null alone, object, string | number via alias, T | undefined optional", () => {
    assert.match(one("/** @table t */\nexport interface T { A: true }\n").fix, /use boolean/);
    assert.match(one("/** @table t */\nexport interface T { A: null }\n").fix, /T \| null/);
    assert.match(one("/** @table t */\nexport interface T { A: object }\n").message, /`object`/);
    assert.match(one("type S = string | number;\n/** @table t */\nexport interface T { A: S | null }\n").message, /unrelated types \(string \| number\)/);
    assert.match(one("/** @table t */\nexport interface T { A?: string | undefined }\n").message, /`undefined` in a union/);
    assert.match(one("/** @table t */\nexport interface T { A: Promise<string> }\n").message, /Promise<string>/);
    assert.match(one("/** @table t */\nexport interface T { A: Missing }\n").message, /cannot resolve type `Missing`/);
    assert.match(one("/** @table t */\nexport interface T { A: Partial<{ B: string }> }\n").message, /utility type Partial/);
    assert.match(one("/** @table t */\nexport interface T { A: `x${string}` }\n").message, /template literal/);
    assert.match(one("/** @table t */\nexport interface T { A: readonly [string] }\n").message, /tuple/);
    assert.match(one("/** @table t */\nexport interface T { A: 1n | 2n }\n").message, /number literal unions/);
    assert.match(one("/** @table t */\nexport interface T { A: Function }\n").message, /functions cannot be stored/);
  });

  test("a recursive type alias and mutual recursion are rejected", () => {
    assert.equal(one("type Tree = { Kids: Tree[] };\n/** @table t */\nexport interface T { Root: Tree }\n").code, "RECURSIVE_TYPE");
    const d = one("interface A { B: B | null }\ninterface B { A: A[] }\n/** @table t */\nexport interface T { Start: A }\n");
    assert.equal(d.code, "RECURSIVE_TYPE");
    assert.equal(d.path, "T.Start.B.A[]");
  });

  test("accepted forms: Record of structs, alias chains, nested id fields, boolean | null, Array<T | null>", () => {
    const tmp = tempDir();
    try {
      const file = write(path.join(tmp.dir, "ok.ts"), `type Name = string;
type Names = Name[];
/** @table t */
export type T = {
  Names: Names;
  Parts: Record<string, { id: string; Qty: number }>;
  Flag: boolean | null;
  Maybe: Array<string | null>;
  One: "only";
};
`);
      const { tables } = generate({ schemaFiles: [file], outDir: tmp.dir, runtimeImport: "quire" });
      assert.deepEqual(tables.t.fields, {
        Names: { type: { kind: "list", of: { kind: "string" } }, optional: false },
        Parts: {
          type: {
            kind: "record",
            of: { kind: "struct", fields: { id: { type: { kind: "string" }, optional: false }, Qty: { type: { kind: "float" }, optional: false } } },
          },
          optional: false,
        },
        Flag: { type: { kind: "nullable", of: { kind: "bool" } }, optional: false },
        Maybe: { type: { kind: "list", of: { kind: "nullable", of: { kind: "string" } } }, optional: false },
        One: { type: { kind: "enum", values: ["only"] }, optional: false },
      });
    } finally {
      tmp.cleanup();
    }
  });

  test("@index written inline on one line is found (TypeScript does not attach it as JSDoc)", () => {
    const tmp = tempDir();
    try {
      const file = write(path.join(tmp.dir, "i.ts"), "/** @table t */\nexport interface T { /** @index */ A: string; /** no */ B: string; /** @index */ C: string }\n");
      assert.deepEqual(generate({ schemaFiles: [file], outDir: tmp.dir, runtimeImport: "quire" }).tables.t.indexes, ["A", "C"]);
    } finally {
      tmp.cleanup();
    }
    const d = one("/** @table t */\nexport interface T { A: string; D: { /** @index */ E: string } }\n");
    assert.equal(d.code, "BAD_INDEX");
    assert.equal(d.path, "T.D.E");
  });

  test("global Temporal types are recognised by name", () => {
    const tmp = tempDir();
    try {
      const file = write(path.join(tmp.dir, "t.ts"), "/** @table t */\nexport interface T { At: Temporal.Instant; On: Temporal.PlainDate }\n");
      const { tables } = generate({ schemaFiles: [file], outDir: tmp.dir, runtimeImport: "quire" });
      assert.deepEqual(tables.t.fields, {
        At: { type: { kind: "instant" }, optional: false },
        On: { type: { kind: "date" }, optional: false },
      });
    } finally {
      tmp.cleanup();
    }
  });

  test("an unresolved Temporal type other than Instant/PlainDate gets the Temporal fix", () => {
    const d = one("/** @table t */\nexport interface T { At: Temporal.ZonedDateTime }\n");
    assert.match(d.fix, /Temporal\.Instant/);
  });

  // Schemas that generated but gave a client that lost a table, could never connect, or did not
  // type-check: refused here, where the fix is.
  for (const [what, source, code, message] of [
    ["@table __proto__ (the generated schema object would take it for its prototype)",
      "/** @table __proto__ */\nexport interface Car { VIN: string }\n", "BAD_TABLE", /"__proto__" cannot be used/],
    ["@index on a field the engine cannot index (every connect would fail)",
      '/** @table cars */\nexport interface Car {\n  /** @index */ "": string;\n  VIN: string;\n}\n', "BAD_INDEX", /field "" cannot be indexed/],
    ["@index on a name longer than the engine indexes",
      `/** @table cars */\nexport interface Car {\n  /** @index */ ${"a".repeat(129)}: string;\n}\n`, "BAD_INDEX", /cannot be indexed/],
    ["a table type named Promise (connect returns a Promise)",
      "/** @table cars */\nexport interface Promise { VIN: string }\n", "NAME_CONFLICT", /Promise clashes with a name in the generated module/],
    ["a table type named like the generated module's shared constants (TS2440 in the client)",
      "export interface Inner { x: string }\nexport interface Mid { a: Inner; b: Inner }\n/** @table things */\nexport interface shared0 { m: Mid; n: Mid }\nexport const shared0 = 1;\n",
      "NAME_CONFLICT", /shared0 clashes with a name in the generated module/],
    ["a table whose types nest 23 interfaces deep (TS2321 in the client from 24)",
      Array.from({ length: 23 }, (_, i) => `export interface D${i} { x: ${i < 22 ? `D${i + 1}` : "string"} }\n`).join("") + "/** @table deep */\nexport interface Deep { root: D0 }\n",
      "TOO_DEEP", /Deep nests 46 levels deep/],
    ["a table whose arrays of structs nest 16 deep",
      Array.from({ length: 16 }, (_, i) => `export interface D${i} { x: ${i < 15 ? `D${i + 1}[]` : "string"} }\n`).join("") + "/** @table deep */\nexport interface Deep { root: D0 }\n",
      "TOO_DEEP", /Deep nests 47 levels deep/],
    ["an inline type literal 500 levels deep (its client grew as the square of its depth: 1,500 levels ran for minutes)",
      `/** @table deep */\nexport interface Deep { root: ${"{ a: ".repeat(500)}string${" }".repeat(500)} }\n`,
      "TOO_DEEP", /nests more than 100 types deep/],
    ["an inline type literal 20,000 levels deep (TypeScript's parser overflowed the stack: a RangeError)",
      `/** @table deep */\nexport interface Deep { root: ${"{ a: ".repeat(20_000)}string${" }".repeat(20_000)} }\n`,
      "TOO_DEEP", /nests (too deeply for TypeScript to read it|more than 100 types deep)/],
  ] as const) {
    test(`${what} is ${code}`, () => {
      const d = one(source);
      assert.equal(d.code, code, formatDiagnostic(d));
      assert.match(d.message, message);
    });
  }

  test("a schema file whose path holds #, ? or % is BAD_PATH: Deno reads the generated import as a URL", () => {
    // `import type { T } from "../hash#x.ts"` type-checked under tsc and was TS2307 under deno check.
    for (const name of ["hash#x.ts", "pct%41x.ts"]) {
      const diags = withSchemaFile(name, "/** @table t */\nexport interface T { x: string }\n", (file, dir) => {
        try {
          generate({ schemaFiles: [file], outDir: path.join(dir, "out"), runtimeImport: "quire" });
          return [];
        } catch (e) {
          assert.ok(e instanceof GenerateError, String(e));
          return e.diagnostics;
        }
      });
      assert.deepEqual(diags.map((d) => d.code), ["BAD_PATH"], name);
      assert.match(diags[0].message, /Deno reads as a URL/);
    }
    const fine = withSchemaFile("plain-name.ts", "/** @table t */\nexport interface T { x: string }\n", (file, dir) => generate({ schemaFiles: [file], outDir: path.join(dir, "out"), runtimeImport: "quire" }));
    assert.equal(fine.files.length, 1);
  });

  test("a problem inside a type several fields use is reported once, where it is first met", () => {
    const source = "export interface Stamp { At: Date }\n/** @table t */\nexport interface T { Made: Stamp; Sold: Stamp; Log: Stamp[] }\n";
    const diags = withSchemaFile("shared-bad.ts", source, (file) => diagnosticsOf([file]));
    assert.equal(diags.length, 1, diags.map((d) => formatDiagnostic(d)).join("\n"));
    assert.equal(diags[0].path, "T.Made.At");
    assert.equal(diags[0].line, 1);
    assert.match(diags[0].message, /Date is not supported/);
  });

  test("an interface whose base has a problem still has its own fields' problems reported in the same run", () => {
    const source = [
      "export interface Bad { At: Date }",
      "export interface Tree extends Bad { /** @index */ Name: string; Kids?: Tree[] }",
      "/** @table t */",
      "export interface T { A: Tree; B: Tree }",
      "",
    ].join("\n");
    const diags = withSchemaFile("bad-base.ts", source, (file) => diagnosticsOf([file]));
    assert.deepEqual(diags.map((d) => [d.code, d.line]), [["UNSUPPORTED_TYPE", 1], ["BAD_INDEX", 2], ["RECURSIVE_TYPE", 2]], diags.map((d) => formatDiagnostic(d)).join("\n"));
  });

  // Each base was checked once per path: 2^n times for n levels of diamonds (18 levels: 21 s).
  // Deeper ones slow TypeScript itself down (its base-type walk, hasBaseType, is per path too).
  test("diamond-shaped extends are checked once each", () => {
    let source = "export interface N18 { Leaf: string }\n";
    for (let i = 17; i >= 0; i--) {
      source += `export interface P${i} extends N${i + 1} { P${i}: string }\nexport interface Q${i} extends N${i + 1} { Q${i}: string }\n`;
      source += `export interface N${i} extends P${i}, Q${i} {}\n`;
    }
    source += "/** @table t */\nexport interface T { Root: N0 }\n";
    const root = generatedWithin10s("diamonds.ts", source).t.fields.Root.type;
    assert.equal(root.kind, "struct");
    assert.equal(root.kind === "struct" && Object.keys(root.fields).length, 18 * 2 + 1);
  });

  // 24 levels: 2^24 paths took 57 s when each path was expanded; once each, well under a second.
  test("nested aliases of unions are flattened once each, not once per path", () => {
    let source = 'type U0 = "a" | "b" | null;\n';
    for (let i = 1; i <= 24; i++) source += `type U${i} = U${i - 1} | U${i - 1} | "v${i}";\n`;
    source += "/** @table t */\nexport interface T { Kind: U24 }\n";
    const kind = generatedWithin10s("unions.ts", source).t.fields.Kind.type;
    assert.equal(kind.kind, "nullable");
    assert.deepEqual(kind.kind === "nullable" && kind.of.kind === "enum" ? [...kind.of.values].sort() : kind,
      ["a", "b", ...Array.from({ length: 24 }, (_, i) => `v${i + 1}`)].sort());
  });
});
