/**
 * `createClient`: opens the ledger, creates the schema's missing tables and `@index` indexes (in
 * one transaction), and returns the typed client: one `TableClient` per table plus `$transaction`,
 * `$partiql`, `$digest`, `$ledger` and `$close`.
 *
 * Statements can be inspected two ways: `db.cars.findMany.toPartiQL(args)` (and on findFirst,
 * findUnique, count) returns `{ text, params }` without running anything; the `onStatement`
 * option receives `{ text, params }` for every statement the client runs.
 *
 * @example
 * ```ts
 * import { createClient, int } from "./client/index.ts";
 * const db = await createClient<{ cars: Car }>("./data/vehicles", schema, {
 *   onStatement: ({ text, params }) => console.debug(text, params),
 * });
 * await db.$transaction(async (tx) => {          // may run more than once (OCC retry)
 *   const car = await tx.cars.findUnique({ where: { VIN: "123456789" } });
 *   if (car) await tx.cars.update({ where: { id: car.id }, data: { Owner: "Richard Roe" } });
 * });
 * const vin = "'; DROP TABLE cars --";
 * const rows = await db.$partiql`SELECT * FROM cars WHERE VIN = ${vin}`; // vin is a parameter: []
 * console.log(await db.$digest());
 * await db.$close();
 * ```
 */
import { fromJS, getField, Ledger, LedgerError, toJS, type IonValue, type LedgerOptions } from "../engine/index.ts";
import { ledgerExecutor, transactionExecutor, type Executor, type StatementHook } from "./executor.ts";
import { quoteIdent, type Statement } from "./partiql.ts";
import type { SchemaDescriptor } from "./schema.ts";
import { TableClient } from "./table.ts";
import type { DigestInfo } from "./types.ts";

/** `$partiql`: a tagged template whose interpolations become `?` parameters (never text). */
export interface PartiQLTag {
  (strings: TemplateStringsArray, ...values: unknown[]): Promise<unknown[]>;
  /** The statement the template makes, without running it. */
  toPartiQL(strings: TemplateStringsArray, ...values: unknown[]): Statement;
}

/** The table accessors, bound to the ledger or to one transaction. */
export type Tables<TableTypes> = { readonly [K in keyof TableTypes]: TableClient<TableTypes[K]> };

/** The accessors available inside `$transaction`. */
export type TransactionClient<TableTypes> = Tables<TableTypes> & { readonly $partiql: PartiQLTag };

export type Client<TableTypes> = Tables<TableTypes> & {
  /**
   * Runs `fn` in one serializable transaction, with `tx` holding the same table accessors bound
   * to it. On an OCC conflict the whole callback runs again on a fresh snapshot (up to
   * `retries` times), so it MAY RUN MORE THAN ONCE: keep side effects outside it.
   */
  $transaction<R>(fn: (tx: TransactionClient<TableTypes>) => Promise<R>, options?: { retries?: number }): Promise<R>;
  /** Raw PartiQL with interpolations as parameters; rows come back as plain JS (engine `toJS`). */
  readonly $partiql: PartiQLTag;
  /** The current digest (hex) and its tip address. */
  $digest(): Promise<DigestInfo>;
  /** The underlying engine ledger. */
  readonly $ledger: Ledger;
  /** Closes the ledger (waits for commits in flight). */
  $close(): Promise<void>;
};

export interface ClientOptions {
  /** Passed to `Ledger.open`. */
  readonly ledger?: LedgerOptions;
  /** Receives every statement the client runs, before it runs. */
  readonly onStatement?: StatementHook;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function partiqlTag(ex: Executor): PartiQLTag {
  const build = (strings: TemplateStringsArray, values: unknown[]): Statement => {
    // Called as a function, `db.$partiql("…")` would splice nothing and lose its parameters.
    if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw)) {
      throw new LedgerError("INVALID_ARGUMENT", "$partiql is a template tag: db.$partiql`SELECT * FROM cars WHERE VIN = ${vin}`");
    }
    return { text: strings.join("?"), params: values.map((v, i) => fromJS(v, `$partiql[${i}]`)) };
  };
  return Object.assign(
    async (strings: TemplateStringsArray, ...values: unknown[]) => (await ex.run(build(strings, values))).map((v) => toJS(v)),
    { toPartiQL: (strings: TemplateStringsArray, ...values: unknown[]) => build(strings, values) },
  );
}

function tables<TableTypes>(ex: Executor, schema: SchemaDescriptor): Tables<TableTypes> & { $partiql: PartiQLTag } {
  const out: Record<string, unknown> = {};
  for (const [accessor, table] of Object.entries(schema)) out[accessor] = new TableClient(ex, table);
  out.$partiql = partiqlTag(ex);
  return out as Tables<TableTypes> & { $partiql: PartiQLTag };
}

/** Creates the schema's missing tables and indexes, in one transaction. */
async function ensureSchema(ex: Executor, schema: SchemaDescriptor): Promise<void> {
  await ex.atomically(async (tx) => {
    const existing = new Map<string, Set<string>>();
    for (const row of await tx.run({ text: "SELECT * FROM information_schema.user_tables", params: [] })) {
      if (row.kind !== "struct") continue;
      const name = getField(row, "name");
      const status = getField(row, "status");
      if (name?.kind !== "string" || status?.kind !== "string" || status.value !== "ACTIVE") continue;
      const exprs = new Set<string>();
      const indexes = getField(row, "indexes");
      if (indexes?.kind === "list") {
        for (const ix of indexes.items) {
          const expr = ix.kind === "struct" ? getField(ix, "expr") : undefined;
          if (expr?.kind === "string") exprs.add(expr.value);
        }
      }
      existing.set(name.value, exprs);
    }
    for (const table of Object.values(schema)) {
      const have = existing.get(table.table);
      if (have === undefined) await tx.run({ text: `CREATE TABLE ${quoteIdent(table.table)}`, params: [] });
      for (const field of table.indexes) {
        if (have?.has(`[${field}]`) || have?.has(`[${quoteIdent(field)}]`)) continue;
        await tx.run({ text: `CREATE INDEX ON ${quoteIdent(table.table)} (${quoteIdent(field)})`, params: [] });
      }
    }
  });
}

/**
 * Opens (creating if needed) the ledger in `dir` and returns the typed client for `schema`.
 * `TableTypes` maps each accessor to its row type, e.g. `createClient<{ cars: Car }>(…)`.
 */
export async function createClient<TableTypes>(
  dir: string,
  schema: SchemaDescriptor,
  options: ClientOptions = {},
): Promise<Client<TableTypes>> {
  const ledger = await Ledger.open(dir, options.ledger);
  const hook = options.onStatement;
  const ex = ledgerExecutor(ledger, hook);
  try {
    await ensureSchema(ex, schema);
  } catch (e) {
    await ledger.close();
    throw e;
  }
  const client = {
    ...tables<TableTypes>(ex, schema),
    $transaction: <R>(fn: (tx: TransactionClient<TableTypes>) => Promise<R>, opts: { retries?: number } = {}) => {
      if (typeof fn !== "function") {
        return Promise.reject(new LedgerError("INVALID_ARGUMENT", "$transaction() needs a function to run in the transaction"));
      }
      return ledger.transaction((tx) => fn(tables<TableTypes>(transactionExecutor(ledger, tx, hook), schema)), opts);
    },
    $digest: async (): Promise<DigestInfo> => {
      const d = await ledger.getDigest();
      return { digest: hex(d.digest), digestTipAddress: d.digestTipAddress };
    },
    $ledger: ledger,
    $close: () => ledger.close(),
  };
  return client as unknown as Client<TableTypes>;
}

export type { IonValue };
