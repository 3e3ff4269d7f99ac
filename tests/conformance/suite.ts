/**
 * Loads the PartiQL conformance suite (partiql/partiql-tests, see ../shared/partiql-tests/QUIRE.md)
 * and expands it into runnable cases, then selects the Tier-A cases listed in tier-a.jsonl.
 *
 * Reading: each test file is read with the engine's own Ion text reader (engine/ion/text.ts
 * `parseText`, which drives ion-js's reader and keeps everything the Ion data model has: ints as
 * bigint, decimals with their exponent, timestamps with precision/offset/fraction, symbols apart
 * from strings, typed nulls, annotations, repeated struct fields in order). Test-data markers are
 * then turned into PartiQL values by `toPValue`:
 *   - `$bag::[…]`      → a bag
 *   - `$missing::null` → MISSING
 *   - `$ion::v`        → v. The marker is used by the suite's `eval/ion/…` files for values that came
 *                        from an Ion literal (symbols, typed nulls, nan/inf, lobs); it says "this is
 *                        Ion-typed", which every Quire value is, so it is dropped.
 * Every other annotation is kept.
 *
 * Structure (QUIRE.md): an annotated list is a namespace (first annotation = its name; nested);
 * `envs::{…}` sets the environment for the test cases that follow it in that namespace and in the
 * namespaces nested in it (a test's own `env` replaces it, no merge); `equiv_class::{id,
 * statements}` names statements that a test may refer to by a symbol `statement` (scoped like
 * envs); any other struct is a test case. One expanded case is one (test, assertion, mode); a test
 * whose statement names an equivalence class becomes one case per mode with all the class's
 * statements (it passes when every statement passes), matching tier-a.jsonl's one line per mode.
 *
 * Matching tier-a.jsonl: key = root | file | namespace path joined with "/" | name | mode. A key
 * may occur more than once in the data (a test name repeated in a namespace); the n-th tier-a
 * line with a key takes the n-th expanded case with that key in file order, and the line's
 * `result` must equal the case's. `selectTierA` reports lines that match nothing or whose result
 * disagrees, and keys that occur several times (resolved by order).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseText } from "../../engine/ion/text.ts";
import type { IonStruct, IonValue } from "../../engine/ion/value.ts";
import { MISSING, type PStruct, type PValue } from "../../engine/partiql/value.ts";

export type Root = "core" | "ext" | "equiv";
export type EvalMode = "EvalModeCoerce" | "EvalModeError";
export type ResultKind = "EvaluationSuccess" | "EvaluationFail";

export const ROOT_DIRS: Record<Root, string> = {
  core: "partiql-tests-data/eval",
  ext: "partiql-tests-data-extended/eval",
  equiv: "partiql-tests-data/eval-equiv",
};

/** One runnable case: one test, one assertion, one evaluation mode. */
export interface SuiteCase {
  readonly root: Root;
  readonly file: string;
  /** Namespace path joined with "/" ("" at top level). */
  readonly namespace: string;
  readonly name: string;
  readonly mode: EvalMode;
  readonly result: ResultKind;
  /** The statement text; several for a test that runs an equivalence class. */
  readonly statements: readonly string[];
  /** Id of the equivalence class the statements came from, if any. */
  readonly equivClass?: string;
  /** Global environment (each field is a global binding), or null when none applies. */
  readonly env: PStruct | null;
  /** Expected value for EvaluationSuccess. */
  readonly expected?: PValue;
  /** 0-based occurrence of this case's key among the file's cases (for repeated names). */
  readonly occurrence: number;
}

/** A Tier-A case: a SuiteCase plus the group tier-a.jsonl gives it. */
export interface TierACase extends SuiteCase {
  readonly group: string;
}

export interface TierALine {
  readonly root: Root;
  readonly file: string;
  readonly namespace: string;
  readonly name: string;
  readonly mode: EvalMode;
  readonly result: ResultKind;
  readonly group: string;
}

export class SuiteFormatError extends Error {
  override readonly name = "SuiteFormatError";
}

// ---- locating the data ---------------------------------------------------------------------

/** The repository root (two levels above this file). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
}

/**
 * The partiql-tests directory (holding tier-a.jsonl). QUIRE_SHARED may name either the `shared`
 * directory or the partiql-tests directory itself; otherwise `<repo>/../shared/partiql-tests`.
 */
export function suiteDir(): string {
  const candidates: string[] = [];
  const env = process.env.QUIRE_SHARED;
  if (env) candidates.push(path.join(env, "partiql-tests"), env);
  candidates.push(path.join(repoRoot(), "..", "shared", "partiql-tests"));
  for (const c of candidates) if (fs.existsSync(path.join(c, "tier-a.jsonl"))) return path.resolve(c);
  throw new SuiteFormatError(`conformance suite not found (looked for tier-a.jsonl in ${candidates.join(", ")})`);
}

// ---- Ion → PartiQL values ------------------------------------------------------------------

function stripAnnotation(v: IonValue, n: number): IonValue {
  const rest = v.annotations!.slice(n);
  const { annotations: _drop, ...plain } = v;
  return (rest.length > 0 ? { ...plain, annotations: rest } : plain) as IonValue;
}

/** Converts a test-data Ion value to a PartiQL value (see the file header for the markers). */
export function toPValue(v: IonValue): PValue {
  const ann = v.annotations;
  if (ann && ann.length > 0) {
    if (ann[0] === "$ion") return toPValue(stripAnnotation(v, 1));
    if (ann[0] === "$missing" && ann.length === 1 && v.kind === "null") return MISSING;
    if (ann[0] === "$bag" && ann.length === 1 && v.kind === "list") return { kind: "bag", items: v.items.map(toPValue) };
  }
  switch (v.kind) {
    case "list":
    case "sexp": {
      const items = v.items.map(toPValue);
      return ann && ann.length > 0 ? { kind: v.kind, items, annotations: ann } : { kind: v.kind, items };
    }
    case "struct": {
      const fields = v.fields.map(([n, x]) => [n, toPValue(x)] as const);
      return ann && ann.length > 0 ? { kind: "struct", fields, annotations: ann } : { kind: "struct", fields };
    }
    default:
      return v;
  }
}

// ---- walking a file ------------------------------------------------------------------------

interface Scope {
  env: IonStruct | null;
  equiv: Map<string, readonly string[]>;
}

function textOf(v: IonValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === "string") return v.value;
  if (v.kind === "symbol" && v.text !== null) return v.text;
  return undefined;
}

function fieldsNamed(s: IonStruct, name: string): IonValue[] {
  return s.fields.filter((f) => f[0] === name).map((f) => f[1]);
}

function oneField(s: IonStruct, name: string, where: string): IonValue | undefined {
  const all = fieldsNamed(s, name);
  if (all.length > 1) throw new SuiteFormatError(`${where}: field '${name}' repeated`);
  return all[0];
}

function modesOf(v: IonValue | undefined, where: string): EvalMode[] {
  const vals = v?.kind === "list" ? v.items : v ? [v] : [];
  const out: EvalMode[] = [];
  for (const m of vals) {
    const t = textOf(m);
    if (t !== "EvalModeCoerce" && t !== "EvalModeError") throw new SuiteFormatError(`${where}: bad evalMode`);
    out.push(t);
  }
  if (out.length === 0) throw new SuiteFormatError(`${where}: assertion without evalMode`);
  return out;
}

/** Expands one file's top-level values into cases (in file order). */
export function expandFile(values: readonly IonValue[], root: Root, file: string): SuiteCase[] {
  const out: SuiteCase[] = [];
  const seen = new Map<string, number>();

  const walk = (items: readonly IonValue[], ns: readonly string[], parent: Scope) => {
    const scope: Scope = { env: parent.env, equiv: new Map(parent.equiv) };
    const namespace = ns.join("/");
    for (const item of items) {
      const ann = item.annotations ?? [];
      const where = `${root}:${file}:${namespace || "<top>"}`;
      if (item.kind === "list") {
        if (ann.length === 0) throw new SuiteFormatError(`${where}: unannotated list at namespace level`);
        walk(item.items, [...ns, ann[0]], scope);
        continue;
      }
      if (item.kind !== "struct") throw new SuiteFormatError(`${where}: unexpected ${item.kind}`);
      if (ann[0] === "envs") {
        scope.env = item;
        continue;
      }
      if (ann[0] === "equiv_class") {
        const id = textOf(oneField(item, "id", where));
        const stmts = oneField(item, "statements", where);
        if (!id || stmts?.kind !== "list") throw new SuiteFormatError(`${where}: malformed equiv_class`);
        scope.equiv.set(id, stmts.items.map((s) => {
          const t = textOf(s);
          if (t === undefined) throw new SuiteFormatError(`${where}: equiv_class ${id}: statement not text`);
          return t;
        }));
        continue;
      }
      const name = textOf(oneField(item, "name", where));
      const stmt = oneField(item, "statement", where);
      if (name === undefined || !stmt) throw new SuiteFormatError(`${where}: test without name or statement`);
      const tw = `${where}: '${name}'`;
      let statements: readonly string[];
      let equivClass: string | undefined;
      if (stmt.kind === "string") statements = [stmt.value];
      else if (stmt.kind === "symbol" && stmt.text !== null) {
        const cls = scope.equiv.get(stmt.text);
        if (!cls) throw new SuiteFormatError(`${tw}: unknown equiv_class ${stmt.text}`);
        statements = cls;
        equivClass = stmt.text;
      } else throw new SuiteFormatError(`${tw}: statement is neither string nor symbol`);
      const ownEnv = oneField(item, "env", tw);
      if (ownEnv && ownEnv.kind !== "struct") throw new SuiteFormatError(`${tw}: env is not a struct`);
      const envIon = ownEnv ?? scope.env;
      const env = envIon ? (toPValue(envIon) as PStruct) : null;
      const asserts = oneField(item, "assert", tw);
      const list = asserts?.kind === "list" ? asserts.items : asserts ? [asserts] : [];
      if (list.length === 0) throw new SuiteFormatError(`${tw}: no assert`);
      for (const a of list) {
        if (a.kind !== "struct") throw new SuiteFormatError(`${tw}: assert is not a struct`);
        const result = textOf(oneField(a, "result", tw));
        if (result !== "EvaluationSuccess" && result !== "EvaluationFail") {
          throw new SuiteFormatError(`${tw}: bad result ${String(result)}`);
        }
        const output = oneField(a, "output", tw);
        if (result === "EvaluationSuccess" && !output) throw new SuiteFormatError(`${tw}: success without output`);
        const expected = result === "EvaluationSuccess" ? toPValue(output!) : undefined;
        for (const mode of modesOf(oneField(a, "evalMode", tw), tw)) {
          const key = `${namespace}\u0000${name}\u0000${mode}`;
          const occurrence = seen.get(key) ?? 0;
          seen.set(key, occurrence + 1);
          out.push({
            root, file, namespace, name, mode, result, statements, env, occurrence,
            ...(equivClass !== undefined ? { equivClass } : {}),
            ...(expected !== undefined ? { expected } : {}),
          });
        }
      }
    }
  };
  walk(values, [], { env: null, equiv: new Map() });
  return out;
}

/** Parses Ion text of a test file and expands it. */
export function expandText(text: string, root: Root, file: string): SuiteCase[] {
  return expandFile(parseText(text), root, file);
}

// ---- tier-a.jsonl --------------------------------------------------------------------------

export function readTierA(dir: string = suiteDir()): TierALine[] {
  const text = fs.readFileSync(path.join(dir, "tier-a.jsonl"), "utf8");
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as TierALine);
}

export interface MatchReport {
  /** tier-a lines that matched no case (or whose result disagreed with the case's). */
  readonly unmatched: readonly { line: TierALine; reason: string }[];
  /** Keys (root|file|namespace|name|mode) that occur more than once, with their count. */
  readonly repeatedKeys: readonly { key: string; count: number }[];
}

export interface LoadedSuite {
  readonly dir: string;
  readonly cases: readonly TierACase[];
  readonly report: MatchReport;
  /** Files read and cases expanded from them (all cases, not only Tier-A). */
  readonly filesRead: number;
  readonly casesExpanded: number;
}

const keyOf = (c: { root: string; file: string; namespace: string; name: string; mode: string }) =>
  [c.root, c.file, c.namespace, c.name, c.mode].join("|");

/** Matches tier-a lines to expanded cases (n-th line with a key ↔ n-th case with that key). */
export function selectTierA(lines: readonly TierALine[], all: readonly SuiteCase[]): {
  cases: TierACase[];
  report: MatchReport;
} {
  const byKey = new Map<string, SuiteCase[]>();
  for (const c of all) {
    const k = keyOf(c);
    const arr = byKey.get(k);
    if (arr) arr.push(c);
    else byKey.set(k, [c]);
  }
  const taken = new Map<string, number>();
  const cases: TierACase[] = [];
  const unmatched: { line: TierALine; reason: string }[] = [];
  for (const line of lines) {
    const k = keyOf(line);
    const n = taken.get(k) ?? 0;
    taken.set(k, n + 1);
    const c = byKey.get(k)?.[n];
    if (!c) {
      unmatched.push({ line, reason: n === 0 ? "no such case" : `only ${n} case(s) with this key` });
      continue;
    }
    if (c.result !== line.result) {
      unmatched.push({ line, reason: `result ${line.result} but the case asserts ${c.result}` });
      continue;
    }
    cases.push({ ...c, group: line.group });
  }
  const repeatedKeys = [...byKey].filter(([k, v]) => v.length > 1 && taken.has(k))
    .map(([key, v]) => ({ key, count: v.length }));
  return { cases, report: { unmatched, repeatedKeys } };
}

/** Loads every file tier-a.jsonl names and returns the Tier-A cases. */
export function loadTierA(dir: string = suiteDir()): LoadedSuite {
  const lines = readTierA(dir);
  const files = new Map<string, { root: Root; file: string }>();
  for (const l of lines) {
    if (!(l.root in ROOT_DIRS)) throw new SuiteFormatError(`tier-a.jsonl: unknown root ${l.root}`);
    files.set(`${l.root}|${l.file}`, { root: l.root, file: l.file });
  }
  const all: SuiteCase[] = [];
  for (const { root, file } of files.values()) {
    const full = path.join(dir, ROOT_DIRS[root], file);
    let text: string;
    try {
      text = fs.readFileSync(full, "utf8");
    } catch (e) {
      throw new SuiteFormatError(`cannot read ${full}: ${(e as Error).message}`);
    }
    all.push(...expandText(text, root, file));
  }
  const { cases, report } = selectTierA(lines, all);
  return { dir, cases, report, filesRead: files.size, casesExpanded: all.length };
}
