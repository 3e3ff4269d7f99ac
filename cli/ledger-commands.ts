/**
 * The `quire` subcommands that work on a ledger directory, and the offline check a third party
 * runs with nothing but evidence files. Everything printed is Ion text, one value per line, so
 * output can be saved, diffed, and read back with any Ion reader.
 *
 *   quire digest <ledger>                                   the current digest
 *   quire proof <ledger> --block <n> --document <id> [--tip <n>]
 *                                                           {revision, proof} against the tip
 *   quire verify <ledger>                                   re-hash the whole journal
 *   quire verify --evidence <file> --digest <file>          offline: no ledger needed
 *   quire query <ledger> <statement> [<ion value>…]         run one statement (auto-commit)
 *   quire export <ledger>                                   every block, oldest first
 *   quire import <ledger> <table> <file>                    documents in (import-command.ts)
 *   quire shell <ledger>                                    statements from stdin (shell-command.ts)
 *
 * Exit codes: 0 success (and, for verify, verified); 1 a ledger error or a failed verification;
 * 2 usage. A command that reads a ledger refuses a directory that holds none rather than create
 * one (Ledger.open would).
 */
import {
  blockAddressToIon,
  type BlockAddress,
  blockToIon,
  digestFromIon,
  digestToIon,
  evidenceFromIon,
  ion,
  ionLiteral,
  isLedgerError,
  type IonValue,
  parseText,
  proofToIon,
  revisionToIon,
  toText,
  verifyRevision,
} from "../engine/index.ts";
import type { CliIO } from "./io.ts";
import { BadInput, NoLedger, parseArgs, readIonFile, Usage, wholeNumber, withLedger } from "./command-kit.ts";
import { importDocuments, IMPORT_USAGE } from "./import-command.ts";
import { shell, SHELL_USAGE } from "./shell-command.ts";

export const LEDGER_COMMANDS = new Set(["digest", "proof", "verify", "query", "export", "import", "shell"]);

export const LEDGER_USAGE = `       quire digest <ledger-dir>
       quire proof <ledger-dir> --block <n> --document <id> [--tip <n>]
       quire verify <ledger-dir>
       quire verify --evidence <file> --digest <file>
       quire query <ledger-dir> <statement> [<ion value>…]
       quire export <ledger-dir>
${IMPORT_USAGE}
${SHELL_USAGE}

digest prints the ledger's digest; proof prints a revision and its proof ({revision, proof})
against the digest at --tip (default: the current one); save both and hand them to whoever must
check the revision, who runs verify --evidence with no access to the ledger. verify <ledger-dir>
re-hashes the whole journal. query runs one PartiQL statement, parameters given as Ion text
(e.g. '"123456789"', '{VIN: "1"}'), and prints each result. export prints every block. import
inserts the documents of an Ion or JSON file into a table; shell runs PartiQL statements read
from standard input. Everything is printed as Ion text, one value per line.`;

async function digest(argv: readonly string[], io: CliIO): Promise<number> {
  const { positional } = parseArgs(argv, []);
  if (positional.length !== 1) throw new Usage("digest takes one ledger directory");
  return withLedger(positional[0], io, async (ledger) => {
    io.out(toText(digestToIon(await ledger.getDigest())));
    return 0;
  });
}

async function proof(argv: readonly string[], io: CliIO): Promise<number> {
  const { positional, values } = parseArgs(argv, ["--block", "--document", "--tip"]);
  if (positional.length !== 1) throw new Usage("proof takes one ledger directory");
  const block = wholeNumber(values.get("--block"), "--block");
  const documentId = values.get("--document");
  if (block === undefined || documentId === undefined) throw new Usage("proof needs --block <n> and --document <id>");
  const tip = wholeNumber(values.get("--tip"), "--tip");
  return withLedger(positional[0], io, async (ledger) => {
    const strandId = ledger.strandId;
    const digestTipAddress = tip === undefined ? (await ledger.getDigest()).digestTipAddress : { strandId, sequenceNo: tip };
    const { revision, proof } = await ledger.getRevision({ blockAddress: { strandId, sequenceNo: block }, documentId, digestTipAddress });
    // The tip goes along so that verify can tell a proof made for another digest from a forgery.
    io.out(toText(ion.struct([
      ["revision", revisionToIon(revision)],
      ["proof", proofToIon(proof)],
      ["digestTipAddress", blockAddressToIon(digestTipAddress)],
    ])));
    return 0;
  });
}

async function verify(argv: readonly string[], io: CliIO): Promise<number> {
  const { positional, values } = parseArgs(argv, ["--evidence", "--digest"]);
  const evidenceFile = values.get("--evidence"), digestFile = values.get("--digest");
  if (evidenceFile !== undefined || digestFile !== undefined) {
    if (evidenceFile === undefined || digestFile === undefined || positional.length > 0) {
      throw new Usage("offline verify takes --evidence <file> and --digest <file>, and no ledger");
    }
    const evidence = readIonFile(evidenceFile, io);
    if (evidence.kind !== "struct") throw new BadInput(`${evidenceFile} is not a {revision, proof} struct`);
    const { revision, proof: proofHashes, digestTipAddress: proofTip } = evidenceFromIon(evidence);
    const d = digestFromIon(readIonFile(digestFile, io));
    // The addresses are covered by no hash (as in QLDB: a revision hash is its data and metadata),
    // so the fold alone let an edited tip or strand pass, and the edit was echoed as verified.
    const misfit = addressMisfit(revision.blockAddress, proofTip, d.digestTipAddress);
    const folds = verifyRevision(revision, proofHashes, d);
    const ok = folds && misfit === undefined;
    const fields: [string, IonValue][] = [
      ["verified", ion.bool(ok)],
      ["documentId", ion.string(revision.metadata.id)],
      ["version", ion.int(revision.metadata.version)],
      ["digestTipAddress", blockAddressToIon(d.digestTipAddress)],
    ];
    if (!ok) fields.push(["reason", ion.string(misfit ?? NOT_FITTING)]);
    io.out(toText(ion.struct(fields)));
    return ok ? 0 : 1;
  }
  if (positional.length !== 1) throw new Usage("verify takes one ledger directory, or --evidence and --digest");
  return withLedger(positional[0], io, async (ledger) => {
    const report = await ledger.verify();
    const fields: [string, IonValue][] = [
      ["ok", ion.bool(report.ok)],
      ["blocks", ion.int(report.blocks)],
      ["revisions", ion.int(report.revisions)],
      ["documents", ion.int(report.documents)],
    ];
    if (report.digest !== undefined) fields.push(["digest", digestToIon(report.digest)]);
    if (report.problem !== undefined) {
      fields.push(["problem", ion.struct([["sequenceNo", ion.int(report.problem.sequenceNo)], ["message", ion.string(report.problem.message)]])]);
    }
    io.out(toText(ion.struct(fields)));
    return report.ok ? 0 : 1;
  });
}

/**
 * What the evidence's addresses say against the digest's, which no hash checks: the same ledger
 * (strand), the proof made for this digest's tip, and the revision's block at or before it.
 */
function addressMisfit(block: BlockAddress, proofTip: BlockAddress | undefined, digestTip: BlockAddress): string | undefined {
  for (const [what, strand] of [["the revision", block.strandId], ["the proof", proofTip?.strandId]] as const) {
    if (strand !== undefined && strand !== digestTip.strandId) {
      return `${what} comes from another ledger than the digest (strand ${strand}, the digest's ${digestTip.strandId})`;
    }
  }
  if (proofTip !== undefined && proofTip.sequenceNo !== digestTip.sequenceNo) {
    const tip = digestTip.sequenceNo;
    return `the proof leads to the digest at block ${proofTip.sequenceNo}, not to this digest's tip ${tip}: make the proof with --tip ${tip}, or verify against that digest`;
  }
  if (block.sequenceNo > digestTip.sequenceNo) {
    return `the revision's block ${block.sequenceNo} comes after the digest's tip ${digestTip.sequenceNo}`;
  }
  return undefined;
}

/** Why offline verification failed when the addresses fit: the hashes do not fold to the digest. */
const NOT_FITTING = "the revision, its proof and the digest do not fit together: one of them was altered, or they come from different ledgers";

async function query(argv: readonly string[], io: CliIO): Promise<number> {
  const [dir, statement, ...params] = argv;
  if (dir === undefined || statement === undefined) throw new Usage("query takes a ledger directory and a statement");
  const values = params.map((p, i) => {
    const parsed = parseText(p);
    if (parsed.length !== 1) throw new Usage(`parameter ${i + 1} holds ${parsed.length} Ion values; expected one`);
    return ionLiteral(parsed[0]);
  });
  return withLedger(dir, io, async (ledger) => {
    for (const row of await ledger.executeIon(statement, ...values)) io.out(toText(row));
    return 0;
  });
}

async function exportBlocks(argv: readonly string[], io: CliIO): Promise<number> {
  const { positional } = parseArgs(argv, []);
  if (positional.length !== 1) throw new Usage("export takes one ledger directory");
  return withLedger(positional[0], io, async (ledger) => {
    const tip = (await ledger.getDigest()).digestTipAddress;
    for (let n = 0; n <= tip.sequenceNo; n++) {
      const { block } = await ledger.getBlock({ blockAddress: { strandId: tip.strandId, sequenceNo: n }, digestTipAddress: tip });
      io.out(toText(blockToIon(block)));
    }
    return 0;
  });
}

const COMMANDS: Record<string, (argv: readonly string[], io: CliIO) => Promise<number>> = {
  digest,
  proof,
  verify,
  query,
  export: exportBlocks,
  import: importDocuments,
  shell,
};

/** Runs one ledger command; returns the exit code. */
export async function runLedgerCommand(command: string, argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await COMMANDS[command](argv, io);
  } catch (e) {
    if (e instanceof Usage) {
      io.err(`quire ${command}: ${e.message}\n\nUsage: ${LEDGER_USAGE.trimStart()}`);
      return 2;
    }
    if (e instanceof NoLedger || e instanceof BadInput) {
      io.err(`quire ${command}: ${e.message}`);
      return 1;
    }
    if (isLedgerError(e)) {
      io.err(`quire ${command}: ${e.code}: ${e.message}`);
      return 1;
    }
    if ((e as { code?: string })?.code === "ENOENT") {
      io.err(`quire ${command}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}
