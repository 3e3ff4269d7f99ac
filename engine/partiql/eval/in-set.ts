/**
 * `x IN (a, b, …)` over a long list of constants, answered by hashing.
 *
 * The list constructor of an IN is evaluated again for every row, and the value compared with
 * each element in turn: a WHERE with an IN of n parameters over m rows costs n × m comparisons.
 * The typed client writes exactly that (`history({ where })` looks the matching ids up with one
 * parameter each), and 10,000 matches over their history exceeded the statement time limit.
 *
 * When every element is a literal or a parameter, the list cannot change during one statement, so
 * its scalar elements are bucketed once by groupKey (equal for values `=` deems equal) and a
 * scalar value is compared with its bucket only. The answer is inItems' (expr.ts): TRUE if some
 * element is `=`, else NULL if an element is NULL or MISSING, else FALSE. Values that are not
 * scalars (containers, structs such as $date, NULL, MISSING), and every value when the list holds
 * a container or struct (a parameter may be one), still go through inItems over the whole list.
 */
import type { Expr, In } from "../ast.ts";
import type { PValue } from "../value.ts";
import { eqValues, groupKey } from "./compare.ts";
import { FALSE, NULL, TRUE } from "./values.ts";

/** Shorter lists are compared element by element: building the buckets would cost more. */
const MIN_HASHED_ITEMS = 8;

interface InSet {
  /** The parameters the set was built from (undefined when the list has none). */
  readonly params: readonly PValue[] | undefined;
  readonly items: readonly PValue[];
  readonly buckets: Map<string, PValue[]>;
  /** Whether an element is NULL or MISSING (then no match is NULL, not FALSE). */
  readonly hasAbsent: boolean;
  /** Whether an element is a container or struct: then inItems answers every value. */
  readonly hasOther: boolean;
}

const built = new WeakMap<In, InSet>();
const hashable = new WeakMap<In, boolean>();

/** Whether `e`'s collection is a list of constants long enough to hash (decided once per node). */
export function isHashableIn(e: In): boolean {
  let yes = hashable.get(e);
  if (yes === undefined) {
    const c = e.collection;
    yes = (c.kind === "list" || c.kind === "bag" || c.kind === "sexp") && c.items.length >= MIN_HASHED_ITEMS &&
      c.items.every((i) => i.kind === "lit" || i.kind === "param");
    hashable.set(e, yes);
  }
  return yes;
}

function isScalar(v: PValue): boolean {
  switch (v.kind) {
    case "null": case "missing": case "list": case "bag": case "sexp": case "struct": return false;
    default: return true;
  }
}

/**
 * The elements of a hashable IN's list and, for a scalar `v`, the IN's answer (undefined: let
 * inItems answer over the elements). `evalItem` evaluates one element (a literal or a parameter).
 */
export function hashedIn(e: In, v: PValue, params: readonly PValue[], evalItem: (x: Expr) => PValue): { items: readonly PValue[]; answer?: PValue } {
  let set = built.get(e);
  if (set === undefined || (set.params !== undefined && set.params !== params)) {
    const listed = (e.collection as Expr & { readonly items: readonly Expr[] }).items;
    const usesParams = listed.some((i) => i.kind === "param");
    const items = listed.map(evalItem);
    const buckets = new Map<string, PValue[]>();
    let hasAbsent = false;
    let hasOther = false;
    for (const item of items) {
      if (item.kind === "null" || item.kind === "missing") hasAbsent = true;
      else if (!isScalar(item)) hasOther = true;
      else {
        const k = groupKey(item);
        const b = buckets.get(k);
        if (b === undefined) buckets.set(k, [item]);
        else b.push(item);
      }
    }
    set = { params: usesParams ? params : undefined, items, buckets, hasAbsent, hasOther };
    built.set(e, set);
  }
  if (set.hasOther || !isScalar(v)) return { items: set.items };
  const bucket = set.buckets.get(groupKey(v));
  if (bucket !== undefined) for (const item of bucket) if (eqValues(v, item)) return { items: set.items, answer: TRUE };
  return { items: set.items, answer: set.hasAbsent ? NULL : FALSE };
}
