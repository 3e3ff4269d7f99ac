/**
 * `quire shell <ledger-dir> [--create]`: runs PartiQL statements read from standard input, one
 * after another, printing each result row as Ion text, as `quire query` does for one statement.
 *
 * A statement ends with `;` (outside strings, quoted identifiers, Ion literals and comments; a
 * line may hold several), with a blank line, or at the end of the input, so both typed lines and
 * piped scripts work; a shell command (below) is a line of its own. Each statement commits on its own, unless `BEGIN` (or `START
 * TRANSACTION`) opened a transaction: then statements run in it until `COMMIT` or `ABORT` (or
 * `ROLLBACK`), as in QLDB's shell; the end of the input aborts a transaction left open. `EXIT`
 * (or `QUIT`) stops. An error is printed to standard error as `CODE: message` and the shell
 * goes on; the exit code is 1 if any statement failed, else 0.
 */
import { isLedgerError, type Ledger, toText, type Transaction } from "../engine/index.ts";
import { parseArgs, Usage, withLedger } from "./command-kit.ts";
import type { CliIO } from "./io.ts";

export const SHELL_USAGE = `       quire shell <ledger-dir> [--create]       (statements on standard input, ending in ;)`;

const HELP = `Statements end with ; or a blank line. BEGIN starts a transaction, COMMIT or ABORT ends it;
otherwise each statement commits on its own. EXIT leaves.`;

/** A shell command word on its own (any case, an optional `;`), or undefined for a statement. */
function commandOf(text: string): "begin" | "commit" | "abort" | "exit" | "help" | undefined {
  const w = text.replace(/;\s*$/, "").trim().toLowerCase().replace(/\s+/g, " ");
  if (w === "begin" || w === "start transaction") return "begin";
  if (w === "commit") return "commit";
  if (w === "abort" || w === "rollback") return "abort";
  if (w === "exit" || w === "quit" || w === ".exit") return "exit";
  if (w === "help" || w === ".help") return "help";
  return undefined;
}

class Session {
  private tx: Transaction | undefined;
  failures = 0;

  constructor(private readonly ledger: Ledger, private readonly io: CliIO) {}

  get inTransaction(): boolean {
    return this.tx !== undefined;
  }

  /** Runs one statement or shell command; false to stop. */
  async run(text: string): Promise<boolean> {
    try {
      switch (commandOf(text)) {
        case "exit":
          return false;
        case "help":
          this.io.err(HELP);
          return true;
        case "begin":
          if (this.tx !== undefined) throw new ShellError("a transaction is already open: COMMIT or ABORT it first");
          this.tx = this.ledger.begin();
          return true;
        case "commit": {
          const tx = this.tx;
          if (tx === undefined) throw new ShellError("no transaction is open (BEGIN starts one)");
          this.tx = undefined;
          await tx.commit();
          return true;
        }
        case "abort":
          if (this.tx === undefined) throw new ShellError("no transaction is open (BEGIN starts one)");
          this.tx.abort();
          this.tx = undefined;
          return true;
      }
      const statement = text;
      const rows = this.tx !== undefined ? await this.tx.executeIon(statement) : await this.ledger.executeIon(statement);
      for (const row of rows) this.io.out(toText(row));
    } catch (e) {
      this.failures++;
      if (isLedgerError(e)) this.io.err(`${e.code}: ${e.message}`);
      else if (e instanceof ShellError) this.io.err(e.message);
      else throw e;
    }
    return true;
  }

  /** The end of the input: a transaction left open is aborted, not committed. */
  finish(): void {
    if (this.tx === undefined) return;
    this.tx.abort();
    this.tx = undefined;
    this.io.err("the input ended inside a transaction: it was aborted");
    this.failures++;
  }
}

/**
 * The statements `text` completes (each ended by a `;` outside quotes and comments, without it),
 * what remains after the last one, and whether that remainder ends inside a string, a quoted
 * identifier, an Ion literal or a block comment (where a blank line does not end a statement).
 */
export function splitStatements(text: string): { complete: string[]; rest: string; open: boolean } {
  const complete: string[] = [];
  let start = 0;
  let i = 0;
  let open = false;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"' || c === "`") {
      // Strings and quoted identifiers double their quote to hold it; Ion literals end at the next backtick.
      let j = i + 1;
      for (;;) {
        if (j >= text.length) {
          open = true;
          break;
        }
        if (text[j] === c) {
          if (c !== "`" && text[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      if (open) break;
      i = j + 1;
    } else if (commentAt(text, i)) {
      const end = commentEnd(text, i);
      if (end < 0) {
        open = true;
        break;
      }
      i = end;
    } else if (c === ";") {
      const statement = text.slice(start, i).trim();
      if (hasCode(statement)) complete.push(statement);
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  return { complete, rest: text.slice(start), open };
}

/** True if a comment (`-- …` to the end of the line, or `/* … *\/`) starts at `i`. */
function commentAt(text: string, i: number): boolean {
  return (text[i] === "-" && text[i + 1] === "-") || (text[i] === "/" && text[i + 1] === "*");
}

/** Where the comment starting at `i` ends (the index after it), or -1 for an unclosed block comment. */
function commentEnd(text: string, i: number): number {
  if (text[i] === "-") {
    const nl = text.indexOf("\n", i);
    return nl < 0 ? text.length : nl + 1;
  }
  const end = text.indexOf("*/", i + 2);
  return end < 0 ? -1 : end + 2;
}

/** True if `text` holds anything but whitespace and comments (a statement to run). */
export function hasCode(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (commentAt(text, i)) {
      const end = commentEnd(text, i);
      if (end < 0) return true;
      i = end;
    } else if (c.trim() === "") {
      i++;
    } else {
      return true;
    }
  }
  return false;
}

/** A mistake in the shell's own commands (not a LedgerError). */
class ShellError extends Error {}

export async function shell(argv: readonly string[], io: CliIO): Promise<number> {
  const { positional, on } = parseArgs(argv, [], ["--create"]);
  if (positional.length !== 1) throw new Usage("shell takes one ledger directory");
  // Read once: the command line's io makes a reader of standard input on each access.
  const input = io.input;
  if (input === undefined) throw new Usage("shell reads statements from standard input, and none was given");
  return withLedger(positional[0], io, async (ledger) => {
    const session = new Session(ledger, io);
    let buffer = "";
    const prompt = () => input.prompt?.(buffer === "" ? (session.inTransaction ? "quire*> " : "quire> ") : "   ...> ");
    prompt();
    let go = true;
    for await (const line of input.lines) {
      // A shell command is a line of its own and needs no `;`.
      if (buffer === "" && commandOf(line) !== undefined) {
        go = await session.run(line);
        if (!go) break;
        prompt();
        continue;
      }
      buffer += (buffer === "" ? "" : "\n") + line;
      const { complete, rest, open } = splitStatements(buffer);
      buffer = rest;
      // A blank line ends a statement, unless it is inside a string or a comment.
      if (line.trim() === "" && !open) {
        if (hasCode(rest)) complete.push(rest.trim());
        buffer = "";
      }
      for (const text of complete) {
        go = await session.run(text);
        if (!go) break;
      }
      if (!go) break;
      if (!hasCode(buffer) && !open) buffer = "";
      prompt();
    }
    if (go && hasCode(buffer)) await session.run(buffer);
    session.finish();
    return session.failures === 0 ? 0 : 1;
  }, on.has("--create"));
}
