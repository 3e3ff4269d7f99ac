import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_RUNTIME, generate, HEADER } from "../../../codegen/index.ts";
import { fixture, ROOT, STUB, tempDir, UPDATE_GOLDEN, withSchemaFile, write } from "./helpers.ts";

const GOLDEN = [
  { name: "cars", schemaFiles: [fixture("cars.schema.ts")] },
  { name: "rich", schemaFiles: [fixture("rich.schema.ts")] },
];

function gen(schemaFiles: string[], outDir: string, runtimeImport: string = STUB) {
  return generate({ schemaFiles, outDir, runtimeImport });
}

describe("codegen: golden output", () => {
  for (const g of GOLDEN) {
    test(`${g.name}: output equals golden/${g.name}/client.ts${UPDATE_GOLDEN ? " (updating)" : ""}`, () => {
      const outDir = fixture("golden", g.name);
      const { files } = gen(g.schemaFiles, outDir);
      assert.equal(files.length, 1);
      assert.equal(files[0].path, path.join(outDir, "client.ts"));
      if (UPDATE_GOLDEN) write(files[0].path, files[0].text);
      const golden = fs.readFileSync(files[0].path, "utf8");
      assert.equal(files[0].text, golden, `golden out of date: rerun with QUIRE_UPDATE_GOLDEN=1 and review the diff`);
    });
  }

  test("cars: descriptor, imports and shape", () => {
    const { files, tables } = gen([fixture("cars.schema.ts")], fixture("golden", "cars"));
    assert.deepEqual(tables, {
      cars: {
        table: "cars",
        typeName: "Car",
        fields: {
          VIN: { type: { kind: "string" }, optional: false },
          Manufacturer: { type: { kind: "string" }, optional: false },
          Model: { type: { kind: "string" }, optional: false },
          Year: { type: { kind: "int" }, optional: false },
          Owner: { type: { kind: "string" }, optional: false },
        },
        indexes: ["VIN"],
      },
    });
    const text = files[0].text;
    assert.ok(text.startsWith(`${HEADER}\n`));
    assert.match(text, /^import type \{ Car \} from "\.\.\/\.\.\/cars\.schema\.ts";$/m);
    assert.match(text, /^import \{ createClient, type Client, type ConnectOptions, type SchemaDescriptor \} from "\.\.\/\.\.\/runtime-stub\.ts";$/m);
    assert.match(text, /^export const schema = \{$/m);
    assert.match(text, /^\} as const satisfies SchemaDescriptor;$/m);
    assert.match(text, /^export interface Tables \{\n  cars: Car;\n\}$/m);
    assert.match(text, /^export type Db = Client<Tables>;$/m);
    assert.match(text, /^export function connect\(dir: string, options\?: ConnectOptions\): Promise<Db> \{\n  return createClient<Tables>\(dir, schema, options\);\n\}$/m);
    assert.match(text, /@example/);
    assert.ok(!/\t/.test(text), "2-space indentation, no tabs");
    assert.ok(!/ +$/m.test(text), "no trailing spaces");
  });

  test("the generated module's values load and match the descriptors", async () => {
    const { tables } = gen([fixture("rich.schema.ts")], fixture("golden", "rich"));
    const mod = await import("../../fixtures/codegen/golden/rich/client.ts");
    assert.deepEqual(JSON.parse(JSON.stringify(mod.schema)), JSON.parse(JSON.stringify(tables)));
    assert.equal(typeof mod.connect, "function");
  });

  test("rich: every supported type maps as client/schema.ts says", () => {
    const { tables } = gen([fixture("rich.schema.ts")], fixture("golden", "rich"));
    const v = tables.vehicles.fields;
    const kinds = Object.fromEntries(Object.entries(v).map(([k, f]) => [k, f.type.kind]));
    assert.deepEqual(kinds, {
      VIN: "string", Plate: "nullable", Mileage: "float", Doors: "int", Odometer: "bigint", Price: "decimal",
      FirstRegistered: "date", Photo: "blob", Electric: "bool", Color: "enum", Status: "enum", Trim: "nullable",
      Owners: "list", PreviousPlates: "list", Tags: "list", Inspections: "list", Attributes: "record",
      Readings: "record", Garage: "nullable", Engine: "struct", "Registered In": "string", Matrix: "list",
      Notes: "string", CreatedAt: "instant", CreatedBy: "string",
    });
    assert.deepEqual(v.Color.type, { kind: "enum", values: ["red", "green", "blue"] }, "alias from another file, declared order");
    assert.deepEqual(v.Trim, { type: { kind: "nullable", of: { kind: "enum", values: ["base", "sport"] } }, optional: true });
    assert.deepEqual(v.Readings.type, { kind: "record", of: { kind: "list", of: { kind: "float" } } });
    assert.deepEqual(v.Matrix.type, { kind: "list", of: { kind: "list", of: { kind: "int" } } });
    assert.equal(v.Notes.optional, true);
    assert.deepEqual(tables.vehicles.indexes, ["VIN", "Plate", "CreatedAt"], "own and inherited @index fields");
    assert.deepEqual(tables.registrations.fields.Fee.type, { kind: "nullable", of: { kind: "decimal" } });
    assert.deepEqual(Object.keys(tables), ["registrations", "vehicles"], "tables sorted by name");
  });
});

describe("codegen: determinism", () => {
  test("generating twice gives byte-identical output", () => {
    for (const g of GOLDEN) {
      const a = gen(g.schemaFiles, fixture("golden", g.name)).files[0].text;
      const b = gen(g.schemaFiles, fixture("golden", g.name)).files[0].text;
      assert.equal(a, b);
    }
  });

  test("the order of the schema files does not matter", () => {
    const files = [fixture("rich.schema.ts"), fixture("cars.schema.ts")];
    const a = gen(files, fixture("golden")).files[0].text;
    const b = gen([...files].reverse(), fixture("golden")).files[0].text;
    assert.equal(a, b);
    assert.match(a, /^import type \{ Car \} from "\.\.\/cars\.schema\.ts";\nimport type \{ Registration, Vehicle \} from "\.\.\/rich\.schema\.ts";$/m);
  });

  test("a copy in another directory gives the same output (identical when laid out alike)", () => {
    const tmp = tempDir();
    try {
      // Same relative layout: client/schema.ts, the fixture and the stub -> byte-identical.
      write(path.join(tmp.dir, "client/schema.ts"), fs.readFileSync(path.join(ROOT, "client/schema.ts"), "utf8"));
      const schema = write(path.join(tmp.dir, "tests/fixtures/codegen/cars.schema.ts"), fs.readFileSync(fixture("cars.schema.ts"), "utf8"));
      const stub = write(path.join(tmp.dir, "tests/fixtures/codegen/runtime-stub.ts"), fs.readFileSync(STUB, "utf8"));
      const copied = gen([schema], path.join(tmp.dir, "tests/fixtures/codegen/golden/cars"), stub).files[0].text;
      const original = gen([fixture("cars.schema.ts")], fixture("golden", "cars")).files[0].text;
      assert.equal(copied, original);
      assert.ok(!copied.includes(tmp.dir) && !copied.includes(ROOT), "no absolute paths");

      // Another output directory: only the import paths differ.
      const elsewhere = gen([schema], path.join(tmp.dir, "src/generated/db"), stub).files[0].text;
      const strip = (s: string) => s.split("\n").filter((l) => !l.startsWith("import ")).join("\n");
      assert.equal(strip(elsewhere), strip(original));
      assert.match(elsewhere, /from "\.\.\/\.\.\/\.\.\/tests\/fixtures\/codegen\/cars\.schema\.ts";/);
      assert.match(elsewhere, /from "\.\.\/\.\.\/\.\.\/tests\/fixtures\/codegen\/runtime-stub\.ts";/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe("codegen: runtime import", () => {
  test("default: this repository's client/index.ts, relative to the output directory", () => {
    const { files } = generate({ schemaFiles: [fixture("cars.schema.ts")], outDir: path.join(ROOT, "app/gen") });
    assert.equal(DEFAULT_RUNTIME, path.join(ROOT, "client/index.ts"));
    assert.match(files[0].text, /type SchemaDescriptor \} from "\.\.\/\.\.\/client\/index\.ts";$/m);
  });

  test("a bare specifier is used as written; a path is made relative to outDir", () => {
    const bare = gen([fixture("cars.schema.ts")], fixture("golden"), "quire").files[0].text;
    assert.match(bare, /type SchemaDescriptor \} from "quire";$/m);
    const npm = gen([fixture("cars.schema.ts")], fixture("golden"), "npm:quire@1").files[0].text;
    assert.match(npm, /from "npm:quire@1";$/m);
    const rel = generate({ schemaFiles: ["cars.schema.ts"], outDir: "out", runtimeImport: "./runtime-stub.ts", cwd: fixture() }).files[0];
    assert.equal(rel.path, fixture("out", "client.ts"));
    assert.match(rel.text, /from "\.\.\/runtime-stub\.ts";$/m);
    assert.match(rel.text, /import type \{ Car \} from "\.\.\/cars\.schema\.ts";/);
    const sameDir = gen([fixture("cars.schema.ts")], fixture()).files[0].text;
    assert.match(sameDir, /import type \{ Car \} from "\.\/cars\.schema\.ts";/);
    assert.match(sameDir, /from "\.\/runtime-stub\.ts";$/m);
  });
});

describe("codegen: a type several fields use", () => {
  /** A table whose two fields use N0, whose two fields use N1, and so on `levels` deep. */
  function doubling(levels: number): string {
    let source = "/** @table roots */\nexport interface Root { Key: string; A: N0; B: N0 }\n";
    for (let i = 0; i < levels; i++) source += `export interface N${i} { X: ${i + 1 < levels ? `N${i + 1}` : "string"}; Y: ${i + 1 < levels ? `N${i + 1}` : "string"} }\n`;
    return source;
  }

  // Written out at each use, 24 levels were 2^24 copies (16 levels: 60 s, 3 GB, a 194 MB client).
  // 22 levels: as deep as a client may nest (MAX_TYPE_DEPTH), 2^22 copies before.
  test("is described once and written out once, however deep the sharing goes", () => {
    withSchemaFile("doubling.ts", doubling(22), (file, dir) => {
      const { files, tables } = generate({ schemaFiles: [file], outDir: dir, runtimeImport: "quire" });
      const text = files[0].text;
      assert.ok(text.length < 16_000, `the client is ${text.length} bytes`);
      const fields = tables.roots.fields;
      assert.equal(fields.A.type, fields.B.type, "both fields hold the one description of N0");
      assert.equal(fields.A.type.kind, "struct");
      // One constant per shared type, each declared before the first one that uses it.
      const declared = [...text.matchAll(/^const (shared\d+) = /gm)].map((m) => m[1]);
      assert.deepEqual(declared, Array.from({ length: 22 }, (_, i) => `shared${i}`));
      for (let i = 1; i < 22; i++) {
        assert.match(text, new RegExp(`^const shared${i} = \\{\\n  kind: "struct",\\n  fields: \\{ X: \\{ type: shared${i - 1}, optional: false \\}, Y: \\{ type: shared${i - 1}, optional: false \\} \\},\\n\\} as const;$`, "m"));
      }
      assert.match(text, /A: \{ type: shared21, optional: false \},\n\s+B: \{ type: shared21, optional: false \},/);
    });
  });

  test("a type several tables use is written out once for all of them", () => {
    const source = [
      "export interface Address { Street: string }",
      "/** @table people */",
      "export interface Person { Home: Address }",
      "/** @table shops */",
      "export interface Shop { Site: Address }",
      "",
    ].join("\n");
    const { files, tables } = withSchemaFile("two-tables.ts", source, (file, dir) => generate({ schemaFiles: [file], outDir: dir, runtimeImport: "quire" }));
    assert.equal(tables.people.fields.Home.type, tables.shops.fields.Site.type);
    const text = files[0].text;
    assert.equal([...text.matchAll(/^const shared\d+ = /gm)].length, 1);
    assert.match(text, /Home: \{ type: shared0, optional: false \}/);
    assert.match(text, /Site: \{ type: shared0, optional: false \}/);
  });

  test("a struct used once stays inline", () => {
    const source = "/** @table t */\nexport interface T { A: Inner }\nexport interface Inner { X: string }\n";
    const text = withSchemaFile("once.ts", source, (file, dir) => generate({ schemaFiles: [file], outDir: dir, runtimeImport: "quire" }).files[0].text);
    assert.doesNotMatch(text, /shared\d/);
    assert.match(text, /A: \{\n\s+type: \{ kind: "struct", fields: \{ X: \{ type: \{ kind: "string" \}, optional: false \} \} \},/);
  });
});
