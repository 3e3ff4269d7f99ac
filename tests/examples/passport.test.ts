// The vehicle passport example runs end to end under this runtime: the buyer verifies every
// revision offline against the registry's published digest, rejects a passport whose odometer was
// turned back, and (as the example says) cannot see an omission. Its generated client is current.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { digestFromIon, Ledger, parseText } from "../../engine/index.ts";
import { root, runScript } from "../helpers/run-script.ts";
import { withTempDir } from "../helpers/tmp.ts";

const run = runScript;

test("the passport story: six revisions verified offline, a rolled-back odometer rejected", () =>
  withTempDir(async (dir) => {
    const r = run(path.join(root, "examples/passport/main.ts"), [dir]);
    assert.equal(r.status, 0, r.stderr);
    const sections = r.stdout.split("── ");
    const honest = sections.find((s) => s.startsWith("The buyer checks it"))!;
    assert.equal(honest.match(/^ {2}verified /gm)?.length, 6, honest);
    assert.match(honest, /keeper Ana Lima/);
    assert.match(honest, /keeper Ben Okafor/);
    assert.match(honest, /48,455 km at Garage du Parc/);
    assert.match(honest, /passport accepted: true/);
    const forged = sections.find((s) => s.startsWith("A passport with the odometer turned back"))!;
    assert.match(forged, /REJECTED {2}services .* 28,455 km/);
    assert.match(forged, /passport accepted: false/);
    assert.match(sections.find((s) => s.startsWith("A passport that leaves"))!, /passport accepted: true/);

    // The files it leaves are what it says: the digest the registry published is the ledger's at that tip.
    const published = digestFromIon(parseText(fs.readFileSync(path.join(dir, "published/registry-digest.ion"), "utf8"))[0]);
    const ledger = await Ledger.open(path.join(dir, "ledger"));
    try {
      const now = await ledger.getDigest();
      assert.deepEqual(now, published);
      assert.equal((await ledger.verify()).ok, true);
    } finally {
      await ledger.close();
    }
  }));

test("the committed generated client is up to date with examples/passport/schema.ts", () => {
  const r = run(path.join(root, "cli/quire.ts"), ["generate", "examples/passport/schema.ts", "--out", "examples/passport/generated", "--check"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
