/**
 * The cars example from the QLDB story, on an embedded Quire ledger through the typed client
 * generated from `schema.ts` (`interface Car`):
 *
 * Maria Garcia registers a Tesla Model S (VIN 123456789); it is sold to Richard Roe, then to
 * Paulo Santos, then deleted from the registry. We print the user view, the committed view with
 * its metadata, the full history, the digest, a proof checked offline — and show that editing one
 * byte of the journal is detected.
 *
 * Run: `npm run demo` (or `bun examples/cars/main.ts [ledger-dir]`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";
import { int, isLedgerError } from "../../client/index.ts";
import { Ledger, verifyRevision } from "../../engine/index.ts";
import { connect } from "./generated/client.ts";

const dir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), "quire-cars-"));
const VIN = "123456789";
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const title = (s: string) => console.log(`\n── ${s} ${"─".repeat(Math.max(0, 66 - s.length))}`);

const db = await connect(dir);
console.log(`Ledger at ${dir}`);

title("The story");
const car = await db.cars.insert({ VIN, Manufacturer: "Tesla", Model: "Model S", Year: int(2012), Owner: "Maria Garcia" });
console.log(`Maria Garcia registers the Tesla Model S          document ${car.id}`);
await db.cars.update({ where: { VIN }, data: { Owner: "Richard Roe" } });
console.log("Sold to Richard Roe");
await db.cars.update({ where: { VIN }, data: { Owner: "Paulo Santos" } });
console.log("Sold to Paulo Santos");

title("User view: SELECT * FROM cars");
for (const c of await db.cars.findMany({ where: { VIN } })) {
  console.log(`  ${c.VIN}  ${c.Manufacturer} ${c.Model} (${c.Year})  owner: ${c.Owner}`);
}

title("Committed view: SELECT * FROM _ql_committed_cars");
for (const c of await db.cars.committed.findMany({ where: { VIN } })) {
  console.log(`  id ${c.metadata.id}  version ${c.metadata.version}  txTime ${c.metadata.txTime.toString({ fractionalSecondDigits: 3 })}  txId ${c.metadata.txId}`);
  console.log(`  block ${c.blockAddress.sequenceNo} of strand ${c.blockAddress.strandId}  hash ${hex(c.hash).slice(0, 16)}…`);
  console.log(`  data: owner ${c.data.Owner}`);
}

await db.cars.delete({ where: { VIN } });
console.log("\nThe car is deleted from the registry.");
console.log(`  SELECT * FROM cars WHERE VIN = '${VIN}' → ${(await db.cars.findMany({ where: { VIN } })).length} rows`);

title("History: every revision is kept");
const revisions = [];
for await (const r of db.cars.history({ id: car.id })) {
  revisions.push(r);
  const what = r.data === undefined ? "(deleted: metadata only)" : `owner ${r.data.Owner}`;
  console.log(`  v${r.version}  ${r.txTime.toString({ fractionalSecondDigits: 3 })}  block ${r.blockAddress.sequenceNo}  ${what}`);
}

title("Digest and an offline proof");
const digest = await db.$digest();
console.log(`  digest ${digest.digest}`);
console.log(`  tip    block ${digest.digestTipAddress.sequenceNo}`);
const ledger = db.$ledger;
const current = await ledger.getDigest();
const { revision, proof } = await ledger.getRevision({
  blockAddress: revisions[0].blockAddress,
  documentId: car.id,
  digestTipAddress: current.digestTipAddress,
});
// verifyRevision needs nothing but the revision, its proof and the digest: a third party runs it.
console.log(`  Maria Garcia's registration (v0): proof of ${proof.length} hashes → verified: ${verifyRevision(revision, proof, current)}`);
const forged = {
  ...revision,
  data: { ...revision.data!, fields: revision.data!.fields.map(([k, v]) => [k, k === "Owner" ? { kind: "string", value: "Mallory" } : v] as const) },
};
console.log(`  the same revision claiming owner Mallory → verified: ${verifyRevision(forged as typeof revision, proof, current)}`);
const check = await db.cars.verify(car.id);
console.log(`  db.cars.verify(id): latest revision in block ${check.blockAddress.sequenceNo}, verified: ${check.verified}`);
const report = await ledger.verify();
console.log(`  ledger.verify(): ok=${report.ok}, ${report.blocks} blocks and ${report.revisions} revisions re-hashed`);
await db.$close();

title("Tampering with the journal");
const copy = fs.mkdtempSync(path.join(os.tmpdir(), "quire-cars-tampered-"));
fs.cpSync(dir, copy, { recursive: true });
const segment = path.join(copy, fs.readdirSync(copy).find((f) => f.endsWith(".qj"))!);
const bytes = fs.readFileSync(segment);
const at = bytes.indexOf(Buffer.from("Maria Garcia"));
bytes[at] = "X".charCodeAt(0); // "Xaria Garcia"
fs.writeFileSync(segment, bytes);
console.log(`  changed one byte at offset ${at} of ${path.basename(segment)} ("Maria" → "Xaria")`);
try {
  const tampered = await Ledger.open(copy);
  const r = await tampered.verify();
  console.log(`  opened; verify(): ok=${r.ok} ${r.problem?.message ?? ""}`);
  await tampered.close();
} catch (e) {
  if (!isLedgerError(e)) throw e;
  console.log(`  detected: ${e.code} — ${e.message}`);
}
fs.rmSync(copy, { recursive: true, force: true });
if (process.argv[2] === undefined) fs.rmSync(dir, { recursive: true, force: true });
