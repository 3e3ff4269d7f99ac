import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { main, USAGE } from "../../../cli/quire.ts";
import { fixture, ROOT, STUB, tempDir, write } from "./helpers.ts";

function cli(argv: string[], cwd = ROOT): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const CARS = "tests/fixtures/codegen/cars.schema.ts";
const RUNTIME = "tests/fixtures/codegen/runtime-stub.ts";

describe("cli: quire generate", () => {
  test("usage: help exits 0, no arguments / unknown command / bad options exit 2", () => {
    assert.deepEqual(cli(["--help"]), { code: 0, out: USAGE, err: "" });
    assert.equal(cli(["generate", "--help"]).code, 0);
    assert.equal(cli([]).code, 2);
    const unknown = cli(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "frobnicate"/);
    assert.match(cli(["generate", CARS]).err, /--out <dir> is required/);
    assert.match(cli(["generate", "--out", "x"]).err, /no schema files given/);
    assert.match(cli(["generate", CARS, "--out"]).err, /--out needs a value/);
    assert.match(cli(["generate", CARS, "--out", "x", "--frob"]).err, /unknown option --frob/);
    assert.ok(USAGE.startsWith("Usage: quire generate <schema.ts…> --out <dir> [--runtime <import>] [--check]"));
  });

  test("writes <out>/client.ts; --check passes when up to date and fails (exit 1) when not", () => {
    const tmp = tempDir();
    try {
      const outDir = path.join(tmp.dir, "gen");
      const written = cli(["generate", CARS, "--out", outDir, "--runtime", RUNTIME]);
      assert.equal(written.code, 0, written.err);
      assert.match(written.out, /^wrote .*client\.ts$/);
      const text = fs.readFileSync(path.join(outDir, "client.ts"), "utf8");
      assert.match(text, new RegExp(`from "${path.relative(outDir, STUB).split(path.sep).join("/").replace(/\./g, "\\.")}";`));

      assert.equal(cli(["generate", CARS, "--out", outDir, `--runtime=${RUNTIME}`, "--check"]).code, 0);
      assert.match(cli(["generate", CARS, "--out", outDir, "--runtime", RUNTIME]).out, /^unchanged /);

      write(path.join(outDir, "client.ts"), text + "// edited\n");
      const stale = cli(["generate", CARS, "--out", outDir, "--runtime", RUNTIME, "--check"]);
      assert.equal(stale.code, 1);
      assert.match(stale.err, /client\.ts: out of date/);
      assert.equal(fs.readFileSync(path.join(outDir, "client.ts"), "utf8"), text + "// edited\n", "--check writes nothing");

      const missing = cli(["generate", CARS, "--out", path.join(tmp.dir, "none"), "--check"]);
      assert.equal(missing.code, 1);
      assert.match(missing.err, /client\.ts: missing/);
      assert.ok(!fs.existsSync(path.join(tmp.dir, "none")));
    } finally {
      tmp.cleanup();
    }
  });

  test("an --out that names a file, or whose client.ts is a directory, is a one-line error with exit 1", () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, "taken");
      write(file, "not a directory\n");
      for (const check of [false, true]) {
        const r = cli(["generate", CARS, "--out", file, "--runtime", RUNTIME, ...(check ? ["--check"] : [])]);
        assert.equal(r.code, 1, r.err);
        if (!check) assert.match(r.err, /^quire generate: cannot write the generated files under .*taken: .*EEXIST/);
      }
      const dirOut = path.join(tmp.dir, "gen");
      fs.mkdirSync(path.join(dirOut, "client.ts"), { recursive: true });
      for (const check of [false, true]) {
        const r = cli(["generate", CARS, "--out", dirOut, "--runtime", RUNTIME, ...(check ? ["--check"] : [])]);
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, /^quire generate: cannot (read|write) the generated files under .*gen: .*EISDIR/);
        assert.equal(r.err.split("\n").length, 1, r.err);
      }
    } finally {
      tmp.cleanup();
    }
  });

  test("schema errors: exit 1, one `file:line: message (path) — fix: …` line each, nothing written", () => {
    const tmp = tempDir();
    try {
      const r = cli([
        "generate",
        "tests/fixtures/codegen/unsupported/date.ts",
        "tests/fixtures/codegen/unsupported/map.ts",
        "--out",
        tmp.dir,
      ]);
      assert.equal(r.code, 1);
      assert.equal(
        r.err,
        [
          "tests/fixtures/codegen/unsupported/date.ts:8: Date is not supported (it loses precision and offset) (Car.Owners[].Since) — fix: use Temporal.Instant (or Temporal.PlainDate for a calendar date)",
          "tests/fixtures/codegen/unsupported/map.ts:6: Map is not supported (Mapped.Attributes) — fix: use Record<string, T>",
          "quire generate: 2 errors; nothing written",
        ].join("\n"),
      );
      assert.deepEqual(fs.readdirSync(tmp.dir), []);
    } finally {
      tmp.cleanup();
    }
  });

  test("runs as a program under the current runtime (golden is up to date)", { timeout: 30_000 }, () => {
    const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
    const args = [
      ...(isDeno ? ["run", "-A"] : []),
      path.join(ROOT, "cli/quire.ts"),
      "generate",
      fixture("cars.schema.ts"),
      "--out",
      fixture("golden/cars"),
      "--runtime",
      RUNTIME,
      "--check",
    ];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /up to date/);
  });

  test("a schema path that is not there is reported with the absolute path looked for", () => {
    const errs: string[] = [];
    const code = main(["generate", "no-such-schema.ts", "--out", "gen"], { out: () => {}, err: (l) => errs.push(l), cwd: ROOT });
    assert.equal(code, 1);
    assert.ok(errs.some((l) => l.includes(`looked for ${path.join(ROOT, "no-such-schema.ts")}`)), errs.join("\n"));
    assert.equal(fs.existsSync(path.join(ROOT, "gen")), false);
  });
});
