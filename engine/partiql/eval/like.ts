/**
 * SQL LIKE with `_` (one character), `%` (any run) and an optional one-character ESCAPE.
 *
 * Patterns compile once (cached per evaluation by pattern and escape) into a token array, then
 * match with the iterative wildcard algorithm that remembers only the last `%`: O(n·m) in the
 * worst case, never exponential, with no regular expression built from user input, and bounded by
 * limits.maxLikeSteps. Characters are Unicode code points.
 *
 * MISSING in any operand gives MISSING, else NULL gives NULL; non-text operands are TYPE_ERRORs;
 * an ESCAPE that is not one character, or a pattern ending in the escape character, is an
 * EVALUATION_ERROR in both modes.
 */
import { tick } from "./deadline.ts";
import type { PValue } from "../value.ts";
import { MISSING } from "../value.ts";
import { LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import { evalError, typeError } from "./errors.ts";
import { NULL, bool, isText, textOf, typeName } from "./values.ts";

const ANY_ONE = -1;
const ANY_RUN = -2;

/** A compiled pattern: code points, or ANY_ONE / ANY_RUN. Consecutive `%` collapse into one. */
export type LikePattern = Int32Array;

export function compileLike(pattern: string, escape: string | undefined): LikePattern {
  let esc = -3;
  if (escape !== undefined) {
    const cps = Array.from(escape);
    if (cps.length !== 1) throw evalError(`LIKE ESCAPE must be exactly one character, got '${escape}'`);
    esc = cps[0].codePointAt(0)!;
  }
  const out: number[] = [];
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (c === esc) {
      if (i + 1 >= cps.length) throw evalError("LIKE pattern ends with its escape character");
      out.push(cps[++i]);
    } else if (c === 0x5f /* _ */) out.push(ANY_ONE);
    else if (c === 0x25 /* % */) {
      if (out[out.length - 1] !== ANY_RUN) out.push(ANY_RUN);
    } else out.push(c);
  }
  return Int32Array.from(out);
}

export function matchLike(p: LikePattern, value: string): boolean {
  const s = Array.from(value, (c) => c.codePointAt(0)!);
  let i = 0, j = 0, star = -1, mark = 0;
  let steps = 0;
  while (i < s.length) {
    if ((steps & 0xfff) === 0xfff) tick(4096); // the statement's time limit (deadline.ts)
    if (++steps > limits.maxLikeSteps) {
      throw new LedgerError("LIMIT_EXCEEDED", `LIKE would take more than ${limits.maxLikeSteps} steps on a value of ${s.length} and a pattern of ${p.length} characters`, {
        limit: "maxLikeSteps",
      });
    }
    if (j < p.length && (p[j] === ANY_ONE || p[j] === s[i])) { i++; j++; }
    else if (j < p.length && p[j] === ANY_RUN) { star = j++; mark = i; }
    else if (star >= 0) { j = star + 1; i = ++mark; }
    else return false;
  }
  while (j < p.length && p[j] === ANY_RUN) j++;
  return j === p.length;
}

/** Evaluates `value LIKE pattern [ESCAPE escape]` on evaluated operands. */
export function like(value: PValue, pattern: PValue, escape: PValue | undefined, cache: Map<string, unknown>): PValue {
  if (value.kind === "missing" || pattern.kind === "missing" || escape?.kind === "missing") return MISSING;
  for (const v of escape ? [value, pattern, escape] : [value, pattern]) {
    if (v.kind !== "null" && !isText(v)) throw typeError(`LIKE needs strings, got ${typeName(v)}`);
  }
  if (value.kind === "null" || pattern.kind === "null" || escape?.kind === "null") return NULL;
  const pt = textOf(pattern);
  const et = escape ? textOf(escape) : undefined;
  const key = et === undefined ? "n" + pt : "e" + JSON.stringify(et) + pt;
  let compiled = cache.get(key) as LikePattern | undefined;
  if (!compiled) {
    compiled = compileLike(pt, et);
    if (cache.size > 1000) cache.clear();
    cache.set(key, compiled);
  }
  return bool(matchLike(compiled, textOf(value)));
}
