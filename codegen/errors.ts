/**
 * Diagnostics of the code generator: every problem found in the schema files, with where it is
 * (file and line), which field it concerns (`Car.Owners[].Name`) and how to fix it. The generator
 * collects all of them before failing, so one run shows every error.
 */
import * as path from "node:path";
import process from "node:process";

export type DiagnosticCode =
  | "FILE_NOT_FOUND"
  | "SYNTAX_ERROR"
  | "OUTPUT_CLASH"
  | "NO_TABLES"
  | "BAD_TABLE"
  | "DUPLICATE_TABLE"
  | "NAME_CONFLICT"
  | "RESERVED_FIELD"
  | "BAD_INDEX"
  | "UNSUPPORTED_TYPE"
  | "RECURSIVE_TYPE"
  | "UNRESOLVED_TYPE"
  | "TOO_DEEP"
  | "BAD_PATH";

export interface Diagnostic {
  readonly code: DiagnosticCode;
  /** Absolute path of the file the problem is in. */
  readonly file: string;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
  /** The field the problem concerns, e.g. `Car.Owners[].Name` (or the type name for a table). */
  readonly path: string;
  readonly message: string;
  /** A suggested fix. */
  readonly fix: string;
}

/** Thrown by `generate` when the schema has problems; `diagnostics` holds all of them, sorted. */
export class GenerateError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const n = diagnostics.length;
    super(
      `quire generate: ${n} error${n === 1 ? "" : "s"}\n` + diagnostics.map((d) => formatDiagnostic(d)).join("\n"),
    );
    this.name = "GenerateError";
    this.diagnostics = diagnostics;
  }
}

/** `file:line: message (path) — fix: …`, with the file relative to `cwd` when it lies below it. */
export function formatDiagnostic(d: Diagnostic, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, d.file);
  const file = (rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : d.file).split(path.sep).join("/");
  const where = d.path === "" ? "" : ` (${d.path})`;
  return `${file}:${d.line}: ${d.message}${where} — fix: ${d.fix}`;
}

/** Collects diagnostics; drops exact repeats (a shared nested type reached by two paths). */
export class Diagnostics {
  readonly #list: Diagnostic[] = [];
  readonly #seen = new Set<string>();

  add(d: Diagnostic): void {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.code}\0${d.message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#list.push(d);
  }

  get count(): number {
    return this.#list.length;
  }

  /** Sorted by file, line and column, so the report is the same on every run. */
  sorted(): Diagnostic[] {
    return [...this.#list].sort((a, b) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || cmp(a.path, b.path)
    );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
