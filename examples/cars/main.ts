/**
 * The cars example from the QLDB story, on an embedded Quire ledger:
 * Maria Garcia registers a Tesla Model S (VIN 123456789), sells it to Richard Roe, and the car
 * is deleted from the registry. We print its full history and prove one revision offline.
 *
 * Run: `npm run demo` (or `bun examples/cars/main.ts [ledger-dir]`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Ledger, toJS, toText, verifyRevision } from "../../engine/index.ts";

const dir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), "quire-cars-"));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

const ledger = await Ledger.open(dir);
console.log(`Ledger at ${dir} (strand ${ledger.strandId})\n`);

const id = await ledger.transaction(async (tx) => {
  if (!(await tx.tables()).some((t) => t.name === "cars" && t.status === "ACTIVE")) await tx.createTable("cars");
  return tx.insert("cars", { VIN: "123456789", Manufacturer: "Tesla", Model: "Model S", Year: 2012, Owner: "Maria Garcia" });
});
console.log(`Maria Garcia registers the Tesla Model S: document ${id}`);

await ledger.transaction(async (tx) => {
  const car = toJS((await tx.get("cars", id))!) as Record<string, unknown>;
  await tx.update("cars", id, { ...car, Owner: "Richard Roe" });
});
console.log("Sold to Richard Roe");

await ledger.transaction((tx) => tx.delete("cars", id));
console.log("Deleted from the registry\n");

const history = await ledger.transaction((tx) => tx.history("cars", id));
console.log("History (every revision is kept):");
for (const r of history) {
  const data = r.data === undefined ? "(deleted: metadata only)" : toText(r.data);
  console.log(`  v${r.metadata.version}  ${toText(r.metadata.txTime)}  block ${r.blockAddress.sequenceNo}  ${data}`);
}

const digest = await ledger.getDigest();
console.log(`\nDigest ${hex(digest.digest)} at block ${digest.digestTipAddress.sequenceNo}`);

const first = history[0];
const { revision, proof } = await ledger.getRevision({
  blockAddress: first.blockAddress,
  documentId: id,
  digestTipAddress: digest.digestTipAddress,
});
console.log(`Proof of Maria Garcia's registration: ${proof.length} hashes`);
console.log(`  verified offline against the digest: ${verifyRevision(revision, proof, digest)}`);
const forged = { ...revision, data: { ...revision.data!, fields: revision.data!.fields.map(([k, v]) => [k, k === "Owner" ? { kind: "string", value: "Mallory" } : v] as const) } };
console.log(`  a forged owner verifies: ${verifyRevision(forged as typeof revision, proof, digest)}`);

const report = await ledger.verify();
console.log(`\nledger.verify(): ok=${report.ok}, ${report.blocks} blocks, ${report.revisions} revisions re-hashed`);
await ledger.close();
