/**
 * The typed surface of a table accessor, generic over the row type `T` (the application's
 * interface, e.g. `Car`). These are types only; the run-time checks live in codec.ts and the
 * translation to PartiQL in partiql.ts.
 *
 * Object literals passed to the accessors are checked exactly: a misspelled field in `where`,
 * `data`, `orderBy` or `select` is a type error.
 *
 * @example
 * ```ts
 * import type { FindManyArgs, Where } from "./client/types.ts";
 * const where: Where<Car> = { Year: { gte: 2010 }, OR: [{ Owner: { startsWith: "Maria" } }, { VIN: "1" }] };
 * const args: FindManyArgs<Car, { VIN: true }> = { where, orderBy: { Year: "desc" }, take: 10, select: { VIN: true } };
 * ```
 */
import type { Decimal } from "ion-js";
import type { Int } from "./schema.ts";
import type { Temporal } from "./temporal.ts";
import type { BlockAddress } from "../engine/index.ts";
import type { Unset } from "./unset.ts";

/** A row as read back: the declared fields plus the document id. */
export type Row<T> = T & { readonly id: string };

/** What `insert` takes: the declared type itself (required fields required). */
export type CreateInput<T> = T;

/**
 * What `update` takes: any subset of the declared fields. `id` and `metadata` belong to the
 * ledger and are never writable. A field set to `undefined` is left unchanged; an optional field
 * set to `unset` is removed.
 */
export type UpdateInput<T> =
  & { [K in Exclude<keyof T, "id" | "metadata">]?: T[K] | (K extends OptionalKeys<T> ? Unset : never) }
  & { readonly id?: never; readonly metadata?: never };

/** The fields of `T` declared with `?`: the ones `unset` may remove. */
export type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/** Types with an order: range filters (`lt`, `gte`, …) and `orderBy` make sense for these. */
export type Orderable = number | bigint | Decimal | Temporal.Instant | Temporal.PlainDate | string;

/** In filters an `Int` field takes a plain number (checked to be a safe integer at run time). */
type Loose<V> = V extends Int ? number : V;

/**
 * Filters every field type has. `N` is `null` where the field is optional or nullable:
 * `equals: null` matches an absent or null field, `not: null` a present one.
 */
export interface EqualityFilter<V, N = never> {
  equals?: V | N;
  not?: V | N;
  in?: readonly V[];
  notIn?: readonly V[];
}

/** Filters for orderable types. */
export interface RangeFilter<V, N = never> extends EqualityFilter<V, N> {
  lt?: V;
  lte?: V;
  gt?: V;
  gte?: V;
}

/** Filters for strings: ranges plus substring matches (compiled to LIKE … ESCAPE with a parameter). */
export interface StringFilter<V extends string = string, N = never> extends RangeFilter<V, N> {
  contains?: string;
  startsWith?: string;
  endsWith?: string;
}

type NullOf<V, Optional> = Optional extends true ? null : null extends V ? null : never;

/** The filter object for a field of type `V` (non-distributive, so an enum stays one union). */
export type FieldFilter<V, N = never> = [NonNullable<V>] extends [string] ? StringFilter<NonNullable<V> & string, N>
  : [NonNullable<V>] extends [Orderable] ? RangeFilter<Loose<NonNullable<V>>, N>
  : EqualityFilter<NonNullable<V>, N>;

type IsOptional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false;

/** A field in `where`: a value (equals) or a filter object. */
export type WhereField<V, N = never> = Loose<NonNullable<V>> | N | FieldFilter<V, N>;

/**
 * A filter on rows of `T`: every listed field must match (AND), plus `AND`, `OR`, `NOT`
 * combinators and the document `id`. A field set to `undefined` is left out, as if not given;
 * anything else that would quietly match every row is refused (INVALID_ARGUMENT / TYPE_ERROR):
 * an operator object with no operator (`{ VIN: {} }`), an operator whose value is `undefined`
 * (`{ id: { equals: undefined } }`), `AND: []`, `NOT: []`, and a where inside AND / OR / NOT that
 * names no condition. `OR: []` and `in: []` match no row; `notIn: []` every row. A write
 * (update, delete, upsert, updateMany, deleteMany) also refuses a where that names no condition
 * at all (`{}`, or every entry undefined): to write every row, leave where out.
 */
export type Where<T> =
  & { [K in Exclude<keyof T, "id" | "AND" | "OR" | "NOT">]?: WhereField<T[K], NullOf<T[K], IsOptional<T, K>>> }
  & {
    id?: string | StringFilter<string>;
    AND?: Where<T> | readonly Where<T>[];
    OR?: readonly Where<T>[];
    NOT?: Where<T> | readonly Where<T>[];
  };

/** Sort direction. */
export type SortOrder = "asc" | "desc";

/** One sort key per object; an array sorts by several keys in order. */
export type OrderByItem<T> = { [K in keyof T]?: SortOrder } & { id?: SortOrder };
export type OrderBy<T> = OrderByItem<T> | readonly OrderByItem<T>[];

/** Which fields to return; the result type narrows to them (plus `id`). */
export type Select<T> = { [K in keyof T]?: true } & { id?: true };

/** Rejects keys of `S` that are not fields of `T` or `id` (exactness for inferred `select` objects). */
export type ExactSelect<T, S> = S & { [K in Exclude<keyof S, keyof T | "id">]: never };

/**
 * The row type `findMany` returns for a selection `S`: all of `T` without one, else the selected
 * fields and the id (`select: {}`, which picks nothing, is refused at run time).
 */
export type Selected<T, S> = [keyof S] extends [never] ? Row<T>
  : Pick<T, Extract<keyof S, keyof T>> & { readonly id: string };

/** Arguments of `findMany` / `findFirst`. */
export interface FindManyArgs<T, S extends Select<T> = {}> {
  where?: Where<T>;
  orderBy?: OrderBy<T>;
  /** At most this many rows (LIMIT). */
  take?: number;
  /** Skip this many rows first (OFFSET). */
  skip?: number;
  select?: ExactSelect<T, S>;
}

/** Arguments of `findUnique`: the id, or a field with an `@index`. */
export interface FindUniqueArgs<T, S extends Select<T> = {}> {
  where: Where<T>;
  select?: ExactSelect<T, S>;
}

/** The ledger metadata of a revision (QLDB's shape; txTime as an Instant). */
export interface RevisionMeta {
  readonly id: string;
  readonly version: number;
  readonly txTime: Temporal.Instant;
  readonly txId: string;
}

/** A row of the committed view: the data with its revision's metadata, address and hash. */
export interface CommittedRow<T> {
  readonly data: Row<T>;
  readonly metadata: RevisionMeta;
  readonly blockAddress: BlockAddress;
  readonly hash: Uint8Array;
}

/** One revision in a document's history; `data` is absent for the delete. */
export interface HistoryEntry<T> {
  readonly id: string;
  readonly version: number;
  readonly txTime: Temporal.Instant;
  readonly txId: string;
  readonly data?: T;
  readonly blockAddress: BlockAddress;
  readonly hash: Uint8Array;
}

/**
 * Arguments of `history`. `from`/`to` select the revisions active in that window, both
 * inclusive (QLDB's `history(t, start, end)`: a revision is active from its txTime until the
 * document's next revision).
 */
export interface HistoryArgs<T> {
  /** Documents any revision of which matches (all of their revisions are returned). */
  where?: Where<T>;
  id?: string;
  from?: Temporal.Instant;
  to?: Temporal.Instant;
}

/** What `verify(id)` checked. */
export interface VerifyResult {
  readonly verified: boolean;
  readonly documentId: string;
  readonly blockAddress: BlockAddress;
  /** The digest, hex. */
  readonly digest: string;
  readonly digestTipAddress: BlockAddress;
  readonly proofLength: number;
}

/** A ledger digest with the hash as hex. */
export interface DigestInfo {
  readonly digest: string;
  readonly digestTipAddress: BlockAddress;
}
