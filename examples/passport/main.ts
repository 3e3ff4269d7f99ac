/**
 * A vehicle passport: three parties keep one vehicle's record in a shared Quire ledger, and a
 * fourth, a buyer, checks that record without any access to the ledger.
 *
 * - The manufacturer records the vehicle as built.
 * - The registry records each keeper and plate, and publishes the ledger's digest.
 * - Workshops record every service with its odometer reading.
 * - The seller hands the buyer a passport: each revision of the vehicle's documents with its
 *   proof, as Ion text. The buyer checks every entry against the digest the registry published,
 *   offline, with nothing but `verifyRevision`: each reading and keeper it shows is one the
 *   workshops and the registry recorded, unaltered. A passport whose odometer reading was edited
 *   fails the check.
 *
 * What a passport does not prove: that it holds everything. A seller can leave out the latest
 * service (hiding mileage) or the latest registration (showing a former keeper as current), and
 * each remaining entry still verifies; the `table` label beside each entry is not covered by any
 * proof either. A buyer who needs the whole history asks the registry, which holds the ledger,
 * for every revision of the VIN (or for a digest and the revisions' addresses, and checks the
 * passport covers them).
 *
 * Run: `npm run demo:passport` (or `bun examples/passport/main.ts [ledger-dir]`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { int, Temporal } from "../../client/index.ts";
import {
  digestFromIon,
  digestToIon,
  getField,
  ion,
  type IonStruct,
  parseText,
  proofFromIon,
  proofToIon,
  revisionFromIon,
  revisionToIon,
  toText,
  verifyRevision,
} from "../../engine/index.ts";
import { connect } from "./generated/client.ts";

const dir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), "quire-passport-"));
const ledgerDir = path.join(dir, "ledger");
const VIN = "YV1NW2024P0000042";
const day = (iso: string) => Temporal.PlainDate.from(iso);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const title = (s: string) => console.log(`\n── ${s} ${"─".repeat(Math.max(0, 66 - s.length))}`);

const db = await connect(ledgerDir);
console.log(`Ledger at ${ledgerDir}`);

title("Three parties write");
await db.vehicles.insert({ VIN, Manufacturer: "Nordwerk", Model: "Aurora E", Built: day("2021-03-15"), Powertrain: "electric" });
console.log(`Manufacturer  builds the Nordwerk Aurora E, VIN ${VIN}`);
await db.registrations.insert({ VIN, Keeper: "Ana Lima", Plate: "AB-12-CD", Country: "PT" });
console.log("Registry      registers Ana Lima as keeper, plate AB-12-CD");
await db.services.insert({ VIN, Workshop: "Oficina Central", Date: day("2022-04-02"), OdometerKm: int(15_210), Work: ["annual service"] });
await db.services.insert({ VIN, Workshop: "Oficina Central", Date: day("2023-04-11"), OdometerKm: int(31_870), Work: ["annual service", "tyres"] });
console.log("Workshop      services it at 15,210 km and at 31,870 km");
// A sale is one transaction: the registry's change of keeper and plate commit together or not at all.
await db.$transaction(async (tx) => {
  await tx.registrations.update({ where: { VIN }, data: { Keeper: "Ben Okafor", Plate: "EF-34-GH" } });
});
console.log("Registry      records the sale to Ben Okafor, new plate EF-34-GH");
await db.services.insert({ VIN, Workshop: "Garage du Parc", Date: day("2024-05-20"), OdometerKm: int(48_455), Work: ["annual service", "brake fluid"] });
console.log("Workshop      services it at 48,455 km");

title("The registry publishes its digest");
const ledger = db.$ledger;
const digest = await ledger.getDigest();
const publicDir = path.join(dir, "published");
fs.mkdirSync(publicDir, { recursive: true });
fs.writeFileSync(path.join(publicDir, "registry-digest.ion"), toText(digestToIon(digest)));
console.log(`  digest ${hex(digest.digest)}`);
console.log(`  covers blocks 0 to ${digest.digestTipAddress.sequenceNo}; written to published/registry-digest.ion`);

title("The seller builds the passport");
// Every revision of every document about this VIN, each with its proof up to the published tip.
const entries: IonStruct[] = [];
for (const table of [db.vehicles, db.registrations, db.services] as const) {
  const ids = new Set<string>();
  for await (const r of table.history({ where: { VIN } })) ids.add(r.id);
  for (const id of ids) {
    for await (const r of table.history({ id })) {
      const { revision, proof } = await ledger.getRevision({ blockAddress: r.blockAddress, documentId: id, digestTipAddress: digest.digestTipAddress });
      entries.push(ion.struct([["table", ion.string(table.descriptor.table)], ["revision", revisionToIon(revision)], ["proof", proofToIon(proof)]]));
    }
  }
}
await db.$close();
const passportText = toText(ion.list(entries));
fs.writeFileSync(path.join(dir, "passport.ion"), passportText);
console.log(`  ${entries.length} revisions with their proofs, ${passportText.length} characters of Ion text: passport.ion`);

title("The buyer checks it, offline");
/** What the buyer does with only the two files: no ledger, no network. */
function check(passport: string, publishedDigest: string): { verified: boolean; rows: string[] } {
  const registryDigest = digestFromIon(parseText(publishedDigest)[0]);
  const [list] = parseText(passport);
  if (list?.kind !== "list") throw new Error("a passport is an Ion list of entries");
  const rows: string[] = [];
  let verified = true;
  for (const entry of list.items as IonStruct[]) {
    const revision = revisionFromIon(getField(entry, "revision")!);
    // The proof shows the revision is in the registry's ledger; the VIN shows it is about this car.
    const ok = verifyRevision(revision, proofFromIon(getField(entry, "proof")!), registryDigest) &&
      (revision.data === undefined || text(revision.data, "VIN") === VIN);
    verified &&= ok;
    const table = text(entry, "table");
    rows.push(`${ok ? "verified" : "REJECTED"}  ${table.padEnd(13)} v${revision.metadata.version}  ${describe(table, revision.data)}`);
  }
  return { verified, rows };
}

function text(s: IonStruct | undefined, name: string): string {
  const v = s === undefined ? undefined : getField(s, name);
  if (v === undefined) return "?";
  if (v.kind === "string") return v.value;
  if (v.kind === "int") return v.value.toLocaleString("en-US");
  return toText(v);
}

function describe(table: string, data: IonStruct | undefined): string {
  if (data === undefined) return "(deleted)";
  if (table === "vehicles") return `${text(data, "Manufacturer")} ${text(data, "Model")}, built ${text(data, "Built")}`;
  if (table === "registrations") return `keeper ${text(data, "Keeper")}, plate ${text(data, "Plate")}`;
  return `${text(data, "Date")}  ${text(data, "OdometerKm")} km at ${text(data, "Workshop")}`;
}

const published = fs.readFileSync(path.join(publicDir, "registry-digest.ion"), "utf8");
const honest = check(fs.readFileSync(path.join(dir, "passport.ion"), "utf8"), published);
for (const row of honest.rows) console.log(`  ${row}`);
console.log(`  passport accepted: ${honest.verified}`);

title("A passport with the odometer turned back");
const forged = passportText.replace(/(OdometerKm:\s*)48455\b/, "$128455");
if (forged === passportText) throw new Error("the passport text did not hold the reading to change");
console.log("  the seller changes the last reading in passport.ion: 48,455 km → 28,455 km");
const rollback = check(forged, published);
for (const row of rollback.rows.filter((r) => r.includes("km at"))) console.log(`  ${row}`);
console.log(`  passport accepted: ${rollback.verified}`);

title("A passport that leaves a service out");
const shortened = toText(ion.list(entries.slice(0, -1)));
console.log("  the seller drops the 48,455 km service from passport.ion");
console.log(`  passport accepted: ${check(shortened, published).verified} (a proof shows what is in the journal, not what a passport omits:`);
console.log("  the registry, which holds the ledger, can list every service of the VIN)");

if (process.argv[2] === undefined) fs.rmSync(dir, { recursive: true, force: true });
