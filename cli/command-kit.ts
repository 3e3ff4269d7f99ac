/**
 * What the ledger commands share: argument parsing, reading Ion files, opening a ledger, and the
 * three kinds of failure a command reports (usage: exit 2; bad input or no ledger: exit 1).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeBinary, type IonValue, Ledger, parseText } from "../engine/index.ts";
import type { CliIO } from "./io.ts";

/** The command line is wrong (exit 2, with the usage). */
export class Usage extends Error {}

/** An input file that cannot be what the command needs (exit 1, like a ledger error). */
export class BadInput extends Error {}

/** The directory holds no ledger (exit 1). */
export class NoLedger extends Error {}

/**
 * Flags of the form --name value (or --name=value), switches (--name, no value), and the
 * positional arguments.
 */
export function parseArgs(
  argv: readonly string[],
  flags: readonly string[],
  switches: readonly string[] = [],
): { positional: string[]; values: Map<string, string>; on: Set<string> } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const on = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (switches.includes(name)) {
      if (eq >= 0) throw new Usage(`${name} takes no value`);
      on.add(name);
      continue;
    }
    if (!flags.includes(name)) throw new Usage(`unknown option ${name}`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Usage(`${name} needs a value`);
    // Given twice, one would be dropped without a word (`--block 1 --block 2` proved block 2).
    if (values.has(name)) throw new Usage(`${name} is given more than once`);
    values.set(name, value);
  }
  return { positional, values, on };
}

/** A whole number given for `flag`, within [min, max]. */
export function wholeNumber(text: string | undefined, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Usage(`${flag} must be a whole number from ${min} to ${max}, not ${text}`);
  }
  return n;
}

/** Every Ion value in a file of Ion text or binary (JSON is Ion text too). */
export function readIonValues(file: string, io: CliIO): IonValue[] {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path.resolve(io.cwd, file));
  } catch (e) {
    throw new BadInput(`cannot read ${file}: ${(e as Error).message}`);
  }
  const isBinary = bytes.length >= 4 && bytes[0] === 0xe0 && bytes[1] === 0x01 && bytes[2] === 0x00 && bytes[3] === 0xea;
  if (isBinary) return decodeBinary(bytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BadInput(`${file} is neither Ion binary nor UTF-8 Ion text`);
  }
  return parseText(text);
}

/** The one Ion value in a file. */
export function readIonFile(file: string, io: CliIO): IonValue {
  const values = readIonValues(file, io);
  if (values.length !== 1) throw new BadInput(`${file} holds ${values.length} Ion values; expected one`);
  return values[0];
}

/** True if `full` is a directory holding a ledger's journal. */
function holdsLedger(full: string): boolean {
  const entries = fs.existsSync(full) && fs.statSync(full).isDirectory() ? fs.readdirSync(full) : undefined;
  return entries !== undefined && entries.some((n) => /^journal-\d{6,}\.qj$/.test(n) || n === "journal.manifest");
}

/**
 * Opens the ledger in `dir`. A command refuses a directory that holds none rather than create
 * one (Ledger.open would), unless `create` is set.
 */
export async function openLedger(dir: string | undefined, io: CliIO, create = false): Promise<Ledger> {
  if (dir === undefined) throw new Usage("no ledger directory given");
  const full = path.resolve(io.cwd, dir);
  if (!create && !holdsLedger(full)) throw new NoLedger(`no ledger in ${full}`);
  const ledger = await Ledger.open(full);
  // A last frame damaged rather than torn may have held an acknowledged transaction: say so.
  const t = ledger.openInfo.truncatedTail;
  if (t !== undefined && !t.torn) {
    io.err(
      `warning: the last frame of ${t.file} (offset ${t.offset}, ${t.bytes} bytes) was damaged or cut after it was written, ` +
        `not torn by a crash, and was truncated; its bytes are saved in ${path.join(full, t.savedAs ?? "")}`,
    );
  }
  return ledger;
}

/** Runs `fn` on the ledger in `dir` and closes it. */
export async function withLedger(
  dir: string | undefined,
  io: CliIO,
  fn: (ledger: Ledger) => Promise<number>,
  create = false,
): Promise<number> {
  const ledger = await openLedger(dir, io, create);
  try {
    return await fn(ledger);
  } finally {
    await ledger.close();
  }
}
