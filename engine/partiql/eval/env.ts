/**
 * Variable scopes and name resolution.
 *
 * A scope binds names to values (FROM/LET/GROUP variables). Lookup walks from the innermost
 * scope outwards; an unquoted name matches case-insensitively (an exact match wins), a quoted one
 * exactly. A name bound nowhere falls back to the global bindings (tables), and then, inside a
 * SELECT, to a field of a FROM variable's current struct (PartiQL's implicit attribute lookup:
 * `SELECT price FROM products` reads products' row field `price`).
 */
import type { PValue } from "../value.ts";
import type { Globals } from "./context.ts";

export class Env {
  private constructor(
    readonly parent: Env | undefined,
    private readonly names: readonly string[],
    private readonly values: readonly PValue[],
    /** True for FROM-variable scopes, whose struct values take part in implicit attribute lookup. */
    readonly fromScope: boolean,
  ) {}

  static readonly empty: Env = new Env(undefined, [], [], false);

  /** A child scope binding `names[i]` to `values[i]`. */
  bind(names: readonly string[], values: readonly PValue[], fromScope = false): Env {
    return new Env(this, names, values, fromScope);
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

  /** A field `name` of the struct bound to a FROM variable, innermost first; undefined if none has it. */
  implicitField(name: string, caseSensitive: boolean): PValue | undefined {
    const lower = name.toLowerCase();
    for (let e: Env | undefined = this; e; e = e.parent) {
      if (!e.fromScope) continue;
      for (const v of e.values) {
        if (v.kind !== "struct") continue;
        let loose: PValue | undefined;
        for (const [k, fv] of v.fields) {
          if (k === name) return fv;
          if (!caseSensitive && loose === undefined && k.toLowerCase() === lower) loose = fv;
        }
        if (loose !== undefined) return loose;
      }
    }
    return undefined;
  }

  /** Names bound in this scope and its ancestors (innermost first), for SELECT * and GROUP AS. */
  fromVariables(): { name: string; value: PValue }[] {
    const out: { name: string; value: PValue }[] = [];
    for (let e: Env | undefined = this; e; e = e.parent) {
      if (!e.fromScope) continue;
      for (let i = 0; i < e.names.length; i++) out.push({ name: e.names[i], value: e.values[i] });
    }
    return out;
  }
}

/** Resolves a variable: scopes, then globals, then implicit attributes. */
export function resolve(env: Env, globals: Globals, name: string, caseSensitive: boolean, lexicalOnly: boolean): PValue | undefined {
  const local = env.lookup(name, caseSensitive);
  if (local !== undefined) return local;
  if (lexicalOnly) return undefined;
  const g = globals.get(name, caseSensitive);
  if (g !== undefined) return g;
  return env.implicitField(name, caseSensitive);
}
