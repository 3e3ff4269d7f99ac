/**
 * Runs conformance cases against the engine: parse, evaluate in the case's mode with the case's
 * environment as globals, compare (compare.ts).
 *
 * Outcome rules:
 *   - EvaluationSuccess passes when evaluation returns a value equal to the expected one.
 *   - EvaluationFail passes when parsing or evaluation throws a LedgerError (any code).
 *   - Any exception that is not a LedgerError is a CRASH (an engine bug) and never passes.
 *   - A statement that parses to something other than a query (DDL/DML) fails: the evaluator
 *     only takes queries.
 *   - An equivalence-class case passes when every statement of the class passes.
 *
 * The parser and evaluator are imported dynamically (with computed specifiers, so type checking
 * does not require them to exist yet) and typed by the contract in the brief: `parse(text):
 * Statement`, `evaluate(statement, globals, {mode, params?}): PValue`, `globalsOf(bindings)`.
 */
import { LedgerError } from "../../engine/errors.ts";
import type { QueryStatement, Statement } from "../../engine/partiql/ast.ts";
import type { PStruct, PValue } from "../../engine/partiql/value.ts";
import { resultEquals, show } from "./compare.ts";
import type { EvalMode, SuiteCase } from "./suite.ts";

export interface Engine {
  readonly parse: (text: string) => Statement;
  readonly evaluate: (
    statement: QueryStatement,
    globals: unknown,
    options: { mode: "strict" | "permissive"; params?: PValue[] },
  ) => PValue;
  readonly globalsOf: (bindings: Record<string, PValue> | PStruct) => unknown;
  /** "engine" for the real modules, "stub" for the plumbing stub. */
  readonly name: string;
}

export const PARSER_MODULE = "../../engine/partiql/parser/index.ts";
export const EVAL_MODULE = "../../engine/partiql/eval/index.ts";

/**
 * The real engine, or an Error saying why it is not available (a module missing or without the
 * expected exports).
 */
export async function loadEngine(): Promise<Engine | Error> {
  const mods: Record<string, unknown>[] = [];
  for (const rel of [PARSER_MODULE, EVAL_MODULE]) {
    const url = new URL(rel, import.meta.url).href;
    try {
      mods.push(await import(url) as Record<string, unknown>);
    } catch (e) {
      return new Error(`cannot import ${rel.replace("../../", "")}: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  const [p, ev] = mods;
  for (const [m, name, file] of [[p, "parse", "parser"], [ev, "evaluate", "eval"], [ev, "globalsOf", "eval"]] as const) {
    if (typeof m[name] !== "function") return new Error(`engine/partiql/${file}/index.ts does not export ${name}()`);
  }
  return {
    name: "engine",
    parse: p.parse as Engine["parse"],
    evaluate: ev.evaluate as Engine["evaluate"],
    globalsOf: ev.globalsOf as Engine["globalsOf"],
  };
}

/**
 * A stand-in engine for checking the plumbing: parsing "fails" (PARSE_ERROR) for statements
 * containing "@@", every evaluation throws TYPE_ERROR, and `(STUB-CRASH)` throws a plain Error.
 * Under it exactly the EvaluationFail cases pass.
 */
export const stubEngine: Engine = {
  name: "stub",
  parse(text: string): Statement {
    if (text.includes("@@")) throw new LedgerError("PARSE_ERROR", "stub: cannot parse");
    const span = { start: 0, end: text.length };
    return { kind: "query", span, query: { kind: "lit", span, value: { kind: "string", value: text } } };
  },
  evaluate(statement: QueryStatement): PValue {
    const q = statement.query;
    if (q.kind === "lit" && q.value.kind === "string" && q.value.value.includes("STUB-CRASH")) {
      throw new Error("stub crash");
    }
    throw new LedgerError("TYPE_ERROR", "stub: no evaluator");
  },
  globalsOf: (bindings) => bindings,
};

export const modeOption = (m: EvalMode): "strict" | "permissive" => m === "EvalModeError" ? "strict" : "permissive";

export type Status = "pass" | "fail" | "crash" | "timeout";

export interface CaseResult {
  readonly status: Status;
  /** Also passes under the lenient (partiql-lang-kotlin) equality. */
  readonly lenientPass: boolean;
  /** Failure category, e.g. "wrong result", "error PARSE_ERROR", "crash TypeError". */
  readonly category?: string;
  /** Error message or the actual value, for reports. */
  readonly detail?: string;
  /** The statement that failed (for an equivalence class, the first failing one). */
  readonly statement?: string;
  readonly ms: number;
}

interface StatementResult {
  status: Exclude<Status, "timeout">;
  lenientPass: boolean;
  category?: string;
  detail?: string;
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  try {
    return String(e);
  } catch {
    return "<unprintable>";
  }
}

function crashName(e: unknown): string {
  if (e instanceof Error) return e.constructor?.name || e.name || "Error";
  return typeof e;
}

const globalsCache = new WeakMap<object, unknown>();
const EMPTY: PStruct = { kind: "struct", fields: [] };

function runStatement(engine: Engine, c: SuiteCase, text: string): StatementResult {
  let stmt: Statement;
  try {
    stmt = engine.parse(text);
  } catch (e) {
    if (e instanceof LedgerError) {
      if (c.result === "EvaluationFail") return { status: "pass", lenientPass: true };
      return { status: "fail", lenientPass: false, category: `parse error ${e.code}`, detail: e.message };
    }
    return { status: "crash", lenientPass: false, category: `crash in parse: ${crashName(e)}`, detail: messageOf(e) };
  }
  if (!stmt || stmt.kind !== "query") {
    return { status: "fail", lenientPass: false, category: "not a query", detail: `parsed as ${stmt?.kind}` };
  }
  let actual: PValue;
  try {
    const env = c.env ?? EMPTY;
    let globals = globalsCache.get(env);
    if (globals === undefined) {
      globals = engine.globalsOf(env);
      globalsCache.set(env, globals);
    }
    actual = engine.evaluate(stmt, globals, { mode: modeOption(c.mode) });
  } catch (e) {
    if (e instanceof LedgerError) {
      if (c.result === "EvaluationFail") return { status: "pass", lenientPass: true };
      return { status: "fail", lenientPass: false, category: `eval error ${e.code}`, detail: e.message };
    }
    return { status: "crash", lenientPass: false, category: `crash in eval: ${crashName(e)}`, detail: messageOf(e) };
  }
  if (actual === null || typeof actual !== "object" || typeof (actual as { kind?: unknown }).kind !== "string") {
    const what = actual instanceof Promise ? "a Promise" : typeof actual;
    return { status: "crash", lenientPass: false, category: "crash: result is not a PValue", detail: `evaluate returned ${what}` };
  }
  if (c.result === "EvaluationFail") {
    return { status: "fail", lenientPass: false, category: "expected an error, got a value", detail: safeShow(actual) };
  }
  try {
    if (resultEquals(c.expected!, actual, "strict")) return { status: "pass", lenientPass: true };
    const lenientPass = resultEquals(c.expected!, actual, "lenient");
    return {
      status: "fail",
      lenientPass,
      category: lenientPass ? "wrong result (representation only)" : "wrong result",
      detail: safeShow(actual),
    };
  } catch (e) {
    return { status: "crash", lenientPass: false, category: "crash: result is not a PValue", detail: messageOf(e) };
  }
}

function safeShow(v: PValue): string {
  try {
    return show(v);
  } catch (e) {
    return `<unprintable result: ${messageOf(e)}>`;
  }
}

/** Runs one case (every statement of an equivalence class, all of which must pass). Never throws. */
export function runCase(engine: Engine, c: SuiteCase): CaseResult {
  const t0 = performance.now();
  let lenient = true;
  let first: (StatementResult & { statement: string }) | undefined;
  for (const text of c.statements) {
    const r = runStatement(engine, c, text);
    lenient &&= r.lenientPass;
    if (r.status !== "pass" && (!first || (r.status === "crash" && first.status !== "crash"))) {
      first = { ...r, statement: text };
    }
  }
  const ms = performance.now() - t0;
  return first ? { ...first, lenientPass: lenient, ms } : { status: "pass", lenientPass: true, ms };
}
