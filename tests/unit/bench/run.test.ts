// bench/run.ts's arguments: anything it does not know stops it before a benchmark starts (a
// typo used to start the full run of several minutes). The bench runs under Bun only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { root } from "../../helpers/run-script.ts";

const bun = path.join(root, "node_modules/.bin/bun");

// [arguments, exit code, what stdout or stderr must say]
const cases: [string[], number, RegExp][] = [
  [["--help"], 0, /^usage: bun bench\/run\.ts \[--quick\] \[--only=commit,hash,proof,replay,query\]/],
  [["-h"], 0, /^usage:/],
  [["--quik"], 2, /unknown argument --quik/],
  [["--quick", "extra"], 2, /unknown argument extra/],
  [["--only=comit"], 2, /unknown group comit/],
];

for (const [args, status, says] of cases) {
  test(`bench/run.ts ${args.join(" ")} exits ${status} before measuring anything`, () => {
    const r = spawnSync(bun, ["bench/run.ts", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, status, r.stderr);
    assert.match(status === 0 ? r.stdout : r.stderr, says);
    assert.doesNotMatch(r.stdout + r.stderr, /\[bench\]|"name"/, "no benchmark ran");
  });
}
