/**
 * Variable scopes and name resolution.
 *
 * A scope binds names to values (FROM/LET/GROUP variables). Lookup walks from the innermost
 * scope outwards; an unquoted name matches case-insensitively (an exact match wins), a quoted one
 * exactly. A name bound nowhere falls back to the global bindings (tables), and then, inside a
 * SELECT, to a field of a FROM variable's current struct (PartiQL's implicit attribute lookup:
 * `SELECT price FROM products` reads products' row field `price`).
 */
import { foldedMatch, type FoldedName, foldedName } from "./names.ts";
import type { PValue } from "../value.ts";
import type { Globals } from "./context.ts";

export class Env {
  private constructor(
    readonly parent: Env | undefined,
    private readonly names: readonly string[],
    private readonly values: readonly PValue[],
    /** True for FROM-variable scopes, whose struct values take part in implicit attribute lookup. */
    readonly fromScope: boolean,
    /** Values of aggregate calls for the current group (keyed by the call node), inherited by children. */
    readonly aggregates: ReadonlyMap<object, PValue> | undefined,
  ) {}

  static readonly empty: Env = new Env(undefined, [], [], false, undefined);

  /** A child scope binding `names[i]` to `values[i]`. */
  bind(names: readonly string[], values: readonly PValue[], fromScope = false): Env {
    return new Env(this, names, values, fromScope, this.aggregates);
  }

  /** A child scope (binding `names`) in which the given aggregate calls have the given values. */
  withAggregates(aggs: ReadonlyMap<object, PValue>, names: readonly string[] = [], values: readonly PValue[] = []): Env {
    return new Env(this, names, values, false, aggs);
  }

  /** True inside a FROM variable scope (where a name may be an implicit attribute). */
  insideFrom(): boolean {
    for (let e: Env | undefined = this; e; e = e.parent) if (e.fromScope) return true;
    return false;
  }

  /** Looks the name up in this scope only. */
  private own(name: string, caseSensitive: boolean): PValue | undefined {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.values[i];
    if (caseSensitive) return undefined;
    const lower = name.toLowerCase();
    for (let i = 0; i < names.length; i++) if (names[i].toLowerCase() === lower) return this.values[i];
    return undefined;
  }

  /** A variable bound in some scope, or undefined. */
  lookup(name: string, caseSensitive: boolean): PValue | undefined {
    for (let e: Env | undefined = this; e; e = e.parent) {
      const v = e.own(name, caseSensitive);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /**
   * Values of fields `name` in the structs bound to FROM variables of the innermost FROM scope
   * that has any; empty if none has one. More than one is an ambiguity for the caller to report.
   */
  implicitFields(name: string, caseSensitive: boolean): PValue[] {
    let folded: FoldedName | undefined;
    for (let e: Env | undefined = this; e; e = e.parent) {
      if (!e.fromScope) continue;
      let found: PValue[] | undefined;
      const values = e.values;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v.kind !== "struct") continue;
        const fields = v.fields;
        for (let j = 0; j < fields.length; j++) {
          const k = fields[j][0];
          let match = k === name;
          if (!match && !caseSensitive) match = foldedMatch(k, name, folded ??= foldedName(name));
          if (match) (found ??= []).push(fields[j][1]);
        }
      }
      if (found !== undefined) return found;
    }
    return [];
  }
}

/**
 * Resolves a variable: scopes, then globals, then implicit attributes. Returns undefined when
 * nothing binds the name, and an array when implicit lookup finds several candidates.
 */
export function resolve(
  env: Env, globals: Globals, name: string, caseSensitive: boolean, lexicalOnly: boolean,
): PValue | PValue[] | undefined {
  const local = env.lookup(name, caseSensitive);
  if (local !== undefined) return local;
  if (lexicalOnly) return undefined;
  const g = globals.get(name, caseSensitive);
  if (g !== undefined) return g;
  const found = env.implicitFields(name, caseSensitive);
  return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
}
