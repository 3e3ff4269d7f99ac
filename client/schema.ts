/**
 * The runtime description of a typed schema: what the code generator emits for each table and
 * what the client runtime uses to check inputs before anything is journaled and to map Ion
 * values back to the declared TypeScript types. The generator and the runtime meet here.
 *
 * Type mapping (TypeScript -> Ion):
 * | TypeScript                         | descriptor                    | Ion                          |
 * |------------------------------------|-------------------------------|------------------------------|
 * | `string`                           | `{ kind: "string" }`          | string                       |
 * | `boolean`                          | `{ kind: "bool" }`            | bool                         |
 * | `number`                           | `{ kind: "float" }`           | float                        |
 * | `Int` (branded number)             | `{ kind: "int" }`             | int (safe-integer checked)   |
 * | `bigint`                           | `{ kind: "bigint" }`          | int of any size              |
 * | `Decimal` (ion-js)                 | `{ kind: "decimal" }`         | decimal (exact)              |
 * | `Temporal.Instant`                 | `{ kind: "instant" }`         | timestamp, UTC, fractional s |
 * | `Temporal.PlainDate`               | `{ kind: "date" }`            | timestamp, day precision     |
 * | `Uint8Array`                       | `{ kind: "blob" }`            | blob                         |
 * | `"a" \| "b"` (string literals)     | `{ kind: "enum", values }`    | string                       |
 * | `T[]`                              | `{ kind: "list", of }`        | list                         |
 * | `Record<string, T>`                | `{ kind: "record", of }`      | struct                       |
 * | nested interface                   | `{ kind: "struct", fields }`  | struct                       |
 * | `field?: T`                        | `{ optional: true }` on field | field absent (MISSING)       |
 * | `T \| null`                        | `{ kind: "nullable", of }`    | null                         |
 */

export type TypeDescriptor =
  | { readonly kind: "string" }
  | { readonly kind: "bool" }
  | { readonly kind: "float" }
  | { readonly kind: "int" }
  | { readonly kind: "bigint" }
  | { readonly kind: "decimal" }
  | { readonly kind: "instant" }
  | { readonly kind: "date" }
  | { readonly kind: "blob" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "list"; readonly of: TypeDescriptor }
  | { readonly kind: "record"; readonly of: TypeDescriptor }
  | { readonly kind: "struct"; readonly fields: Readonly<Record<string, FieldDescriptor>> }
  | { readonly kind: "nullable"; readonly of: TypeDescriptor };

export interface FieldDescriptor {
  readonly type: TypeDescriptor;
  /** Declared with `?`: the field may be absent. */
  readonly optional: boolean;
}

export interface TableDescriptor {
  /** The ledger table name (e.g. "cars"). */
  readonly table: string;
  /** The TypeScript type name the rows have (e.g. "Car"). */
  readonly typeName: string;
  readonly fields: Readonly<Record<string, FieldDescriptor>>;
  /** Top-level fields marked `@index`. */
  readonly indexes: readonly string[];
}

/** Accessor name -> table description, e.g. `{ cars: { table: "cars", … } }`. */
export type SchemaDescriptor = Readonly<Record<string, TableDescriptor>>;

/**
 * `Int`: a number the schema stores as an Ion int. A brand, so that a plain `number` (a float)
 * is not silently accepted where an int is declared; `int(5)` makes one after checking it.
 */
export type Int = number & { readonly __quireInt: true };
