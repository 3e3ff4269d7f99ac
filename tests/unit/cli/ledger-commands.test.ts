/**
 * `quire digest | proof | verify | query | export`: the evidence a ledger's owner hands out, and
 * the offline check a third party runs on it with no ledger.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Buffer } from "node:buffer";
import { run } from "../../../cli/quire.ts";
import { Ledger, parseText } from "../../../engine/index.ts";
import { withTempDir } from "../../helpers/tmp.ts";

async function quire(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("digest and proof hand out evidence that verify --evidence checks offline; tampering fails it", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(path.join(dir, "ledger"));
    await ledger.execute("CREATE TABLE cars");
    const [{ documentId }] = await ledger.execute("INSERT INTO cars ?", { VIN: "123456789", Owner: "Maria Garcia" });
    await ledger.execute("UPDATE cars SET Owner = 'Richard Roe'");
    const [first] = await ledger.execute("SELECT VALUE h.blockAddress.sequenceNo FROM history(cars) AS h");
    await ledger.close();

    const digest = await quire(dir, "digest", "ledger");
    assert.equal(digest.code, 0, digest.err);
    fs.writeFileSync(path.join(dir, "digest.ion"), digest.out);
    const proof = await quire(dir, "proof", "ledger", "--block", String(first), "--document", documentId);
    assert.equal(proof.code, 0, proof.err);
    fs.writeFileSync(path.join(dir, "evidence.ion"), proof.out);

    const ok = await quire(dir, "verify", "--evidence", "evidence.ion", "--digest", "digest.ion");
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /verified: true/);
    fs.writeFileSync(path.join(dir, "forged.ion"), proof.out.replace("Maria Garcia", "Mallory"));
    const forged = await quire(dir, "verify", "--evidence", "forged.ion", "--digest", "digest.ion");
    assert.equal(forged.code, 1);
    assert.match(forged.out, /verified: false/);
    assert.match(forged.out, /reason: "the revision, its proof and the digest do not fit together/);

    // A proof made for an earlier tip fails against the later digest, and says why.
    const early = await quire(dir, "proof", "ledger", "--block", String(first), "--document", documentId, "--tip", String(first));
    assert.equal(early.code, 0, early.err);
    assert.match(early.out, new RegExp(`digestTipAddress: \\{strandId: "\\w+", sequenceNo: ${first}\\}`));
    fs.writeFileSync(path.join(dir, "early.ion"), early.out);
    const other = await quire(dir, "verify", "--evidence", "early.ion", "--digest", "digest.ion");
    assert.equal(other.code, 1);
    assert.match(other.out, new RegExp(`the proof leads to the digest at block ${first}, not to this digest's tip 2`));

    // The addresses, which no hash covers, are checked against the digest's: an edited tip or
    // strand verified, and the invented tip was echoed back as verified.
    const tip = /digestTipAddress: \{strandId: "(\w+)", sequenceNo: (\d+)\}/;
    const [, strand] = tip.exec(digest.out)!;
    const edits: [string, string, string, RegExp][] = [
      ["the digest's tip", digest.out.replace(tip, `digestTipAddress: {strandId: "${strand}", sequenceNo: 9999}`), proof.out, /the proof leads to the digest at block 2, not to this digest's tip 9999/],
      ["the evidence's tip", digest.out, proof.out.replace(/(digestTipAddress: \{strandId: "\w+", sequenceNo: )2\}/, "$13}"), /the proof leads to the digest at block 3, not to this digest's tip 2/],
      ["the evidence's strand", digest.out, proof.out.replace(/(digestTipAddress: \{strandId: ")\w/, "$1Z"), /the proof comes from another ledger than the digest/],
      ["the revision's strand", digest.out, proof.out.replace(/(blockAddress: \{strandId: ")\w/, "$1Z"), /the revision comes from another ledger than the digest/],
      ["the revision's block past the tip", digest.out, proof.out.replace(/(blockAddress: \{strandId: "\w+", sequenceNo: )\d+\}/, "$17}"), /the revision's block 7 comes after the digest's tip 2/],
    ];
    for (const [what, digestText, evidenceText, reason] of edits) {
      assert.notEqual(digestText + evidenceText, digest.out + proof.out, `${what}: the edit applies`);
      fs.writeFileSync(path.join(dir, "d.ion"), digestText);
      fs.writeFileSync(path.join(dir, "e.ion"), evidenceText);
      const r = await quire(dir, "verify", "--evidence", "e.ion", "--digest", "d.ion");
      assert.equal(r.code, 1, `${what}: ${r.out}`);
      assert.match(r.out, /verified: false/, what);
      assert.match(r.out, reason, what);
    }

    const whole = await quire(dir, "verify", "ledger");
    assert.equal(whole.code, 0, whole.err);
    assert.match(whole.out, /ok: true, blocks: 3/);
  }));

test("query runs a statement with Ion parameters; export prints every block", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(path.join(dir, "l"));
    await ledger.execute("CREATE TABLE cars");
    await ledger.close();
    assert.equal((await quire(dir, "query", "l", "INSERT INTO cars ?", '{VIN: "1", Price: 1.50, Sym: abc}')).code, 0);
    const rows = await quire(dir, "query", "l", "SELECT c.Price, c.Sym FROM cars AS c WHERE c.VIN = ?", '"1"');
    assert.equal(rows.code, 0, rows.err);
    assert.equal(rows.out, "{Price: 1.50, Sym: abc}");
    const exported = await quire(dir, "export", "l");
    assert.equal(exported.code, 0);
    const blocks = exported.out.split("\n").map((line) => parseText(line)[0]);
    assert.equal(blocks.length, 2);
    assert.ok(blocks.every((b) => b.kind === "struct"));
  }));

test("usage errors exit 2; a missing ledger or a ledger error exits 1 and creates nothing", () =>
  withTempDir(async (dir) => {
    assert.equal((await quire(dir, "proof", "x", "--block", "one", "--document", "d")).code, 2);
    assert.equal((await quire(dir, "digest")).code, 2);
    assert.equal((await quire(dir, "verify", "--evidence", "e.ion")).code, 2);
    // A flag given twice (the last one won, without a word), a switch given a value.
    const twice = await quire(dir, "proof", "x", "--block", "1", "--block", "2", "--document", "d");
    assert.equal(twice.code, 2);
    assert.match(twice.err, /--block is given more than once/);
    const switchValue = await quire(dir, "import", "x", "t", "f.ion", "--create=yes");
    assert.equal(switchValue.code, 2);
    assert.match(switchValue.err, /--create takes no value/);
    fs.mkdirSync(path.join(dir, "notes"));
    fs.writeFileSync(path.join(dir, "notes", "notes.qj"), "not a journal");
    assert.equal((await quire(dir, "digest", "notes")).code, 1);
    assert.deepEqual(fs.readdirSync(path.join(dir, "notes")), ["notes.qj"], "a stray .qj file is no ledger");
    fs.writeFileSync(path.join(dir, "bad.ion"), new Uint8Array([0xff, 0xfe]));
    for (const evidence of ["bad.ion", "notes", "absent.ion"]) {
      const r = await quire(dir, "verify", "--evidence", evidence, "--digest", "bad.ion");
      assert.equal(r.code, 1, evidence);
      assert.match(r.err, /quire verify: /);
    }
    const missing = await quire(dir, "digest", "nowhere");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no ledger in/);
    assert.equal(fs.existsSync(path.join(dir, "nowhere")), false, "a read command does not create a ledger");
    const ledger = await Ledger.open(path.join(dir, "l"));
    await ledger.execute("CREATE TABLE cars");
    const locked = await quire(dir, "digest", "l");
    assert.equal(locked.code, 1);
    assert.match(locked.err, /LEDGER_LOCKED/);
    await ledger.close();
    const bad = await quire(dir, "query", "l", "SELECT FROM WHERE");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /PARSE_ERROR/);
  }));

test("a command on a ledger whose last frame was damaged (not torn) warns, naming the saved bytes", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(path.join(dir, "ledger"));
    await ledger.execute("CREATE TABLE cars");
    await ledger.execute("INSERT INTO cars ?", { VIN: "1", Owner: "Maria Garcia" });
    await ledger.execute("INSERT INTO cars ?", { VIN: "2", Owner: "Richard Roe" });
    await ledger.close();
    const segment = path.join(dir, "ledger", "journal-000001.qj");
    const bytes = fs.readFileSync(segment);
    const at = bytes.lastIndexOf(Buffer.from("Richard Roe"));
    assert.ok(at > 0);
    bytes[at] ^= 0x01; // "Sichard": a bit flip in the last frame, every sector of it written
    fs.writeFileSync(segment, bytes);
    const r = await quire(dir, "query", "ledger", "SELECT VALUE c.VIN FROM cars AS c");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: the last frame of journal-000001\.qj .* was damaged or cut after it was written/);
    const saved = /saved in (.*)$/.exec(r.err)![1];
    assert.ok(fs.readFileSync(saved).includes(Buffer.from("Sichard Roe")));
    // The truncated ledger opens quietly from then on.
    const again = await quire(dir, "query", "ledger", "SELECT VALUE c.VIN FROM cars AS c");
    assert.equal(again.err, "");
  }));
