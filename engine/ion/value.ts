/**
 * The engine's lossless Ion value model.
 *
 * Every Ion type keeps exactly the information that Ion's data model (and so Ion Hash) sees:
 * ints of any size as `bigint`, decimals as an exact coefficient and exponent with their own
 * sign (so `-0.` survives), timestamps with their precision, local offset and fractional
 * seconds as written, symbols distinct from strings, repeated struct field names kept in order.
 * Nothing in the engine converts a value through JS `number` (except Ion floats, which are
 * binary64 by definition) or `Date`.
 *
 * Values are plain readonly objects with a `kind` tag; the engine never mutates one.
 */

export type IonType =
  | "null"
  | "bool"
  | "int"
  | "float"
  | "decimal"
  | "timestamp"
  | "symbol"
  | "string"
  | "clob"
  | "blob"
  | "list"
  | "sexp"
  | "struct";

interface Annotated {
  /** Annotation texts in order; absent or empty when the value has none. */
  readonly annotations?: readonly string[];
}

/** `null` (of: "null") or a typed null such as `null.int` (of: "int"). */
export interface IonNull extends Annotated {
  readonly kind: "null";
  readonly of: IonType;
}
export interface IonBool extends Annotated {
  readonly kind: "bool";
  readonly value: boolean;
}
export interface IonInt extends Annotated {
  readonly kind: "int";
  readonly value: bigint;
}
/** Ion float: IEEE-754 binary64 (a binary32 read from Ion binary widens exactly). */
export interface IonFloat extends Annotated {
  readonly kind: "float";
  readonly value: number;
}
/**
 * Ion decimal: (negative ? -1 : 1) * coefficient * 10^exponent.
 * `coefficient` is a non-negative magnitude; `negative` carries the sign so that `-0d0` is kept.
 * `1.0` is {coefficient: 10n, exponent: -1}; `1.` is {coefficient: 1n, exponent: 0}.
 */
export interface IonDecimal extends Annotated {
  readonly kind: "decimal";
  readonly coefficient: bigint;
  readonly exponent: number;
  readonly negative: boolean;
}

export type TimestampPrecision = "year" | "month" | "day" | "minute" | "second";

/**
 * Ion timestamp, as written: the fields are **local** time at `offset`.
 * `offset` is minutes east of UTC, or null for an unknown offset (`-00:00`; also the only
 * offset a date-only timestamp has). Fields finer than `precision` are their minimum (month/day 1,
 * hour/minute/second 0). `fraction` is the fractional second as an exact decimal in [0, 1)
 * (`.291` = {coefficient: 291n, exponent: -3}; `.000` = {coefficient: 0n, exponent: -3}), present
 * only at second precision and only when written.
 */
export interface IonTimestamp extends Annotated {
  readonly kind: "timestamp";
  readonly precision: TimestampPrecision;
  readonly offset: number | null;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly fraction: { readonly coefficient: bigint; readonly exponent: number } | null;
}
/** Ion symbol; `text` is null only for a symbol with unknown text (`$0`). */
export interface IonSymbol extends Annotated {
  readonly kind: "symbol";
  readonly text: string | null;
}
export interface IonString extends Annotated {
  readonly kind: "string";
  readonly value: string;
}
export interface IonClob extends Annotated {
  readonly kind: "clob";
  readonly bytes: Uint8Array;
}
export interface IonBlob extends Annotated {
  readonly kind: "blob";
  readonly bytes: Uint8Array;
}
export interface IonList extends Annotated {
  readonly kind: "list";
  readonly items: readonly IonValue[];
}
export interface IonSexp extends Annotated {
  readonly kind: "sexp";
  readonly items: readonly IonValue[];
}
/** One struct field; names may repeat within a struct, and field order is kept (Ion Hash ignores it). */
export type IonField = readonly [name: string, value: IonValue];
export interface IonStruct extends Annotated {
  readonly kind: "struct";
  readonly fields: readonly IonField[];
}

export type IonValue =
  | IonNull
  | IonBool
  | IonInt
  | IonFloat
  | IonDecimal
  | IonTimestamp
  | IonSymbol
  | IonString
  | IonClob
  | IonBlob
  | IonList
  | IonSexp
  | IonStruct;

/** The Ion type of a value; for a typed null, the type it is a null of. */
export function ionTypeOf(v: IonValue): IonType {
  return v.kind === "null" ? v.of : v.kind;
}

/** First field named `name` in a struct, or undefined. */
export function getField(s: IonStruct, name: string): IonValue | undefined {
  for (const f of s.fields) if (f[0] === name) return f[1];
  return undefined;
}

// Small constructors; the engine builds metadata and system documents with these.
export const ion = {
  null: (of: IonType = "null"): IonNull => ({ kind: "null", of }),
  bool: (value: boolean): IonBool => ({ kind: "bool", value }),
  int: (value: bigint | number): IonInt => ({ kind: "int", value: BigInt(value) }),
  float: (value: number): IonFloat => ({ kind: "float", value }),
  string: (value: string): IonString => ({ kind: "string", value }),
  symbol: (text: string): IonSymbol => ({ kind: "symbol", text }),
  blob: (bytes: Uint8Array): IonBlob => ({ kind: "blob", bytes }),
  list: (items: readonly IonValue[]): IonList => ({ kind: "list", items }),
  struct: (fields: readonly IonField[]): IonStruct => ({ kind: "struct", fields }),
} as const;
