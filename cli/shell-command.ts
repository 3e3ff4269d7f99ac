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
 *
 * A statement that fails inside a transaction fails the transaction, as in psql: the statements
 * after it are refused until it ends, and COMMIT then aborts it. A script's BEGIN … COMMIT is
 * all or nothing; before, an error in the middle let COMMIT write the statements around it.
 */
import { isLedgerError, type Ledger, toText, type Transaction } from "../engine/index.ts";
import { parseArgs, Usage, withLedger } from "./command-kit.ts";
import type { CliIO } from "./io.ts";

export const SHELL_USAGE = `       quire shell <ledger-dir> [--create]       (statements on standard input, ending in ;)`;

const HELP = `Statements end with ; or a blank line. BEGIN starts a transaction, COMMIT or ABORT ends it;
otherwise each statement commits on its own. A statement that fails in a transaction fails it: COMMIT
then aborts it. EXIT leaves.`;

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
  /** Set when a statement failed in the open transaction (see the header). */
  private txFailed = false;
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
          this.txFailed = false;
          return true;
        case "commit": {
          const tx = this.tx;
          if (tx === undefined) throw new ShellError("no transaction is open (BEGIN starts one)");
          this.tx = undefined;
          if (this.txFailed) {
            tx.abort();
            throw new ShellError("a statement failed in this transaction: it was aborted, not committed");
          }
          await tx.commit();
          return true;
        }
        case "abort":
          if (this.tx === undefined) throw new ShellError("no transaction is open (BEGIN starts one)");
          this.tx.abort();
          this.tx = undefined;
          return true;
      }
      if (this.tx !== undefined && this.txFailed) throw new ShellError("a statement failed in this transaction: ABORT it (COMMIT aborts it too)");
      const statement = text;
      const rows = this.tx !== undefined ? await this.tx.executeIon(statement) : await this.ledger.executeIon(statement);
      for (const row of rows) this.io.out(toText(row));
    } catch (e) {
      this.failures++;
      if (this.tx !== undefined && isLedgerError(e)) this.txFailed = true;
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
  const scanner = new StatementScanner();
  const complete = scanner.push(text, true);
  return { complete, rest: scanner.rest, open: scanner.open };
}

type ScanMode = "code" | "'" | '"' | "`" | "line-comment" | "block-comment";

/**
 * Splits input into statements as it arrives, line by line, resuming where the last line left
 * off: rescanning the pending text on each line made a statement of n lines cost O(n²) (an Ion
 * literal of 8,000 lines took 4.8 s to read, 2,000 lines 0.3 s). The pending text is kept in
 * pieces, one per line, not as one growing string: JSC makes `s += line` a rope and flattens it,
 * copying everything so far, on the next scan of it.
 */
export class StatementScanner {
  /** The pending statement's text scanned so far. */
  private pieces: string[] = [];
  private scanned = 0;
  /** The end of the last chunk, not yet scanned: a character whose meaning depends on the next. */
  private held = "";
  private mode: ScanMode = "code";
  /** Whether the pending statement holds anything but whitespace and comments. */
  private code = false;

  /** The text not yet part of a complete statement. */
  get rest(): string {
    return this.pieces.join("") + this.held;
  }

  /** Whether the pending text ends inside a string, quoted name, Ion literal or block comment. */
  get open(): boolean {
    return this.mode !== "code" && this.mode !== "line-comment";
  }

  /**
   * Whether the pending text holds a statement to run: an unclosed block comment counts, and so
   * does a `-` or `/` held at the end (were the text to end there, it would be code).
   */
  get hasCode(): boolean {
    return this.code || this.mode === "block-comment" || (this.mode === "code" && this.held !== "");
  }

  get isEmpty(): boolean {
    return this.scanned === 0 && this.held === "";
  }

  /** Forgets the pending text. */
  reset(): void {
    this.pieces = [];
    this.scanned = 0;
    this.held = "";
    this.mode = "code";
    this.code = false;
  }

  /**
   * Adds `chunk` and returns the statements it completes. Until `final`, a character whose
   * meaning depends on the next one (a quote that may be doubled, `-` or `/` that may open a
   * comment, the star that may close a block comment) is held back until more text arrives.
   */
  push(chunk: string, final = false): string[] {
    const text = this.held + chunk;
    const complete: string[] = [];
    /** Where the pending statement's part of `text` begins. */
    let start = 0;
    let i = 0;
    while (i < text.length) {
      const mode = this.mode;
      if (mode === "code") {
        const c = text[i];
        if (c === "'" || c === '"' || c === "`") {
          this.mode = c;
          this.code = true;
          i++;
        } else if (c === "-" || c === "/") {
          if (i + 1 >= text.length && !final) break;
          const next = text[i + 1];
          if (c === "-" && next === "-") this.mode = "line-comment";
          else if (c === "/" && next === "*") this.mode = "block-comment";
          else this.code = true;
          i += this.mode === "code" ? 1 : 2;
        } else if (c === ";") {
          if (this.code) complete.push((this.pieces.join("") + text.slice(start, i)).trim());
          this.pieces = [];
          this.scanned = 0;
          this.code = false;
          start = ++i;
        } else {
          if (c.trim() !== "") this.code = true;
          i++;
        }
      } else if (mode === "line-comment") {
        const nl = text.indexOf("\n", i);
        if (nl < 0) {
          i = text.length;
          break;
        }
        this.mode = "code";
        i = nl + 1;
      } else if (mode === "block-comment") {
        const e = text.indexOf("*/", i);
        if (e < 0) {
          i = Math.max(i, text.length - 1);
          break;
        }
        this.mode = "code";
        i = e + 2;
      } else {
        // Strings and quoted identifiers double their quote to hold it; Ion literals end at the next backtick.
        const j = text.indexOf(mode, i);
        if (j < 0) {
          i = text.length;
          break;
        }
        if (mode !== "`") {
          if (j + 1 >= text.length && !final) {
            i = j;
            break;
          }
          if (text[j + 1] === mode) {
            i = j + 2;
            continue;
          }
        }
        this.mode = "code";
        i = j + 1;
      }
    }
    if (i > start) {
      this.pieces.push(text.slice(start, i));
      this.scanned += i - start;
    }
    this.held = text.slice(i);
    return complete;
  }
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
    const pending = new StatementScanner();
    const prompt = () => input.prompt?.(pending.isEmpty ? (session.inTransaction ? "quire*> " : "quire> ") : "   ...> ");
    prompt();
    let go = true;
    for await (const line of input.lines) {
      // A shell command is a line of its own and needs no `;`.
      if (pending.isEmpty && commandOf(line) !== undefined) {
        go = await session.run(line);
        if (!go) break;
        prompt();
        continue;
      }
      const complete = pending.push(pending.isEmpty ? line : "\n" + line);
      // A blank line ends a statement, unless it is inside a string or a comment.
      if (line.trim() === "" && !pending.open) {
        if (pending.hasCode) complete.push(pending.rest.trim());
        pending.reset();
      }
      for (const text of complete) {
        go = await session.run(text);
        if (!go) break;
      }
      if (!go) break;
      if (!pending.hasCode && !pending.open) pending.reset();
      prompt();
    }
    if (go) {
      for (const text of pending.push("", true)) {
        go = await session.run(text);
        if (!go) break;
      }
    }
    if (go && pending.hasCode) await session.run(pending.rest.trim());
    session.finish();
    return session.failures === 0 ? 0 : 1;
  }, on.has("--create"));
}
