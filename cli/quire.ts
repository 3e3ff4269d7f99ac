#!/usr/bin/env bun
/**
 * The `quire` command.
 *
 *   bun cli/quire.ts generate <schema.ts…> --out <dir> [--runtime <import>] [--check]
 *   deno run -A cli/quire.ts generate …
 *   bun cli/quire.ts digest | proof | verify | query | export | import | shell …   (ledger-commands.ts)
 *
 * Exit codes: 0 success; 1 schema errors, or (`--check`) generated files out of date, or a
 * ledger error or failed verification; 2 usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import * as readline from "node:readline";
import { formatDiagnostic, generate, GenerateError } from "../codegen/index.ts";
import type { CliIO } from "./io.ts";
import { LEDGER_COMMANDS, LEDGER_USAGE, runLedgerCommand } from "./ledger-commands.ts";

export const USAGE = `Usage: quire generate <schema.ts…> --out <dir> [--runtime <import>] [--check]

Reads the TypeScript interfaces marked /** @table <name> */ in the schema files and writes a
typed client module, <dir>/client.ts.

Options:
  --out <dir>         directory to write client.ts into (required)
  --runtime <import>  where the generated code imports the client runtime from: a file path
                      (made relative to <dir>) or a package specifier such as "quire"
                      (default: this repository's client/index.ts)
  --check             write nothing; exit 1 if the files on disk differ from what would be
                      generated (for CI)
  -h, --help          show this help

Exit codes: 0 success, 1 schema errors or out-of-date files (--check), 2 usage error.

${LEDGER_USAGE}`;

export type { CliIO } from "./io.ts";

export interface GenerateArgs {
  schemaFiles: string[];
  outDir: string;
  runtimeImport?: string;
  check: boolean;
}

export class UsageError extends Error {}

export function parseGenerateArgs(argv: readonly string[]): GenerateArgs {
  const schemaFiles: string[] = [];
  let outDir: string | undefined;
  let runtimeImport: string | undefined;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--out":
      case "-o":
        outDir = value();
        break;
      case "--runtime":
        runtimeImport = value();
        break;
      case "--check":
        check = true;
        break;
      default:
        if (flag.startsWith("-")) throw new UsageError(`unknown option ${flag}`);
        schemaFiles.push(arg);
    }
  }
  if (schemaFiles.length === 0) throw new UsageError("no schema files given");
  if (outDir === undefined) throw new UsageError("--out <dir> is required");
  return { schemaFiles, outDir, runtimeImport, check };
}

/** Runs any command line, ledger commands included; resolves to the exit code. */
export function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && LEDGER_COMMANDS.has(command)) return runLedgerCommand(command, rest, io);
  return Promise.resolve(main(argv, io));
}

/** Runs `generate` or help synchronously; returns the exit code (ledger commands need `run`). */
export function main(argv: readonly string[], io: CliIO): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (LEDGER_COMMANDS.has(command)) {
    io.err(`quire: ${command} works on a ledger asynchronously; call run(), not main()`);
    return 2;
  }
  if (command !== "generate") {
    io.err(`quire: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("-h") || rest.includes("--help")) {
    io.out(USAGE);
    return 0;
  }
  let args: GenerateArgs;
  try {
    args = parseGenerateArgs(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`quire generate: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  return runGenerate(args, io);
}

function runGenerate(args: GenerateArgs, io: CliIO): number {
  let files;
  try {
    ({ files } = generate({ schemaFiles: args.schemaFiles, outDir: args.outDir, runtimeImport: args.runtimeImport, cwd: io.cwd }));
  } catch (e) {
    if (!(e instanceof GenerateError)) throw e;
    for (const d of e.diagnostics) io.err(formatDiagnostic(d, io.cwd));
    const n = e.diagnostics.length;
    io.err(`quire generate: ${n} error${n === 1 ? "" : "s"}; nothing written`);
    return 1;
  }
  const shown = (p: string) => {
    const rel = path.relative(io.cwd, p);
    return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? p : rel.split(path.sep).join("/");
  };
  // The output directory is the user's: a name taken by a file, or a file that is a directory,
  // is said so rather than thrown as a stack trace.
  try {
    return args.check ? checkGenerated(args, files, io, shown) : writeGenerated(files, io, shown);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === undefined || !(e instanceof Error)) throw e;
    io.err(`quire generate: cannot ${args.check ? "read" : "write"} the generated files under ${shown(path.resolve(io.cwd, args.outDir))}: ${e.message}`);
    return 1;
  }
}

function checkGenerated(args: GenerateArgs, files: readonly { path: string; text: string }[], io: CliIO, shown: (p: string) => string): number {
  const stale = files.filter((f) => !fs.existsSync(f.path) || fs.readFileSync(f.path, "utf8") !== f.text);
  for (const f of stale) io.err(`${shown(f.path)}: ${fs.existsSync(f.path) ? "out of date" : "missing"}`);
  if (stale.length > 0) {
    io.err(`quire generate --check: run \`quire generate ${args.schemaFiles.join(" ")} --out ${args.outDir}${args.runtimeImport === undefined ? "" : ` --runtime ${args.runtimeImport}`}\``);
    return 1;
  }
  io.out(`quire generate --check: ${files.map((f) => shown(f.path)).join(", ")} up to date`);
  return 0;
}

function writeGenerated(files: readonly { path: string; text: string }[], io: CliIO, shown: (p: string) => string): number {
  for (const f of files) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    const unchanged = fs.existsSync(f.path) && fs.readFileSync(f.path, "utf8") === f.text;
    if (!unchanged) fs.writeFileSync(f.path, f.text);
    io.out(`${unchanged ? "unchanged" : "wrote"} ${shown(f.path)}`);
  }
  return 0;
}

/** Standard input as lines (made only when a command asks, so others never hold stdin open). */
function stdinInput(): NonNullable<CliIO["input"]> {
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  return {
    lines,
    prompt: process.stdin.isTTY === true ? (text) => void process.stdout.write(text) : undefined,
    // After EXIT the rest of the input is not read, and an open stdin would keep the process alive.
    close() {
      lines.close();
      process.stdin.destroy();
    },
  };
}

if (import.meta.main) {
  let stdin: CliIO["input"];
  process.exitCode = await run(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    cwd: process.cwd(),
    get input() {
      return stdin ??= stdinInput();
    },
  });
  stdin?.close?.();
}
