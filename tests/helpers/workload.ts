/**
 * A generated workload of ledger operations and an in-memory model of what it should produce,
 * shared by the property and crash tests.
 */
import fc from "fast-check";
import type { Ledger } from "../../engine/index.ts";
import { toJS } from "../../engine/ion/js.ts";

export type Command =
  | { readonly op: "insert"; readonly table: number; readonly doc: Record<string, unknown> }
  | { readonly op: "update"; readonly pick: number; readonly doc: Record<string, unknown> }
  | { readonly op: "delete"; readonly pick: number }
  | { readonly op: "batch"; readonly docs: readonly Record<string, unknown>[] };

export const TABLES = ["cars", "owners"] as const;

const docArb: fc.Arbitrary<Record<string, unknown>> = fc.record({
  VIN: fc.string({ maxLength: 8 }),
  Year: fc.integer({ min: 1900, max: 2100 }),
  Price: fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n })),
  Tags: fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null)), { maxLength: 3 }),
  Photo: fc.uint8Array({ maxLength: 8 }),
}, { requiredKeys: ["VIN"] });

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("insert" as const), table: fc.nat({ max: 1 }), doc: docArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("update" as const), pick: fc.nat(), doc: docArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("batch" as const), docs: fc.array(docArb, { minLength: 1, maxLength: 5 }) }) },
);

export interface ModelDoc {
  readonly table: string;
  data: unknown;
  deleted: boolean;
  versions: number;
}

/** Expected state: document id -> its table, latest data and revision count. */
export class Model {
  readonly docs = new Map<string, ModelDoc>();
  live(): string[] {
    return [...this.docs.entries()].filter(([, d]) => !d.deleted).map(([id]) => id);
  }
}

/** Creates the tables (one block). */
export async function setup(ledger: Ledger): Promise<void> {
  await ledger.transaction(async (tx) => {
    for (const t of TABLES) await tx.createTable(t);
  });
}

/** Runs one command as one transaction and, once it is acknowledged, applies it to the model. */
export async function runCommand(ledger: Ledger, model: Model, cmd: Command): Promise<void> {
  const live = model.live();
  switch (cmd.op) {
    case "insert": {
      const table = TABLES[cmd.table];
      const id = await ledger.transaction((tx) => tx.insert(table, cmd.doc));
      model.docs.set(id, { table, data: cmd.doc, deleted: false, versions: 1 });
      return;
    }
    case "batch": {
      const ids = await ledger.transaction(async (tx) => {
        const out: string[] = [];
        for (const d of cmd.docs) out.push(await tx.insert("cars", d));
        return out;
      });
      ids.forEach((id, i) => model.docs.set(id, { table: "cars", data: cmd.docs[i], deleted: false, versions: 1 }));
      return;
    }
    case "update": {
      if (live.length === 0) return;
      const id = live[cmd.pick % live.length];
      const d = model.docs.get(id)!;
      await ledger.transaction((tx) => tx.update(d.table, id, cmd.doc));
      d.data = cmd.doc;
      d.versions++;
      return;
    }
    case "delete": {
      if (live.length === 0) return;
      const id = live[cmd.pick % live.length];
      const d = model.docs.get(id)!;
      await ledger.transaction((tx) => tx.delete(d.table, id));
      d.deleted = true;
      d.versions++;
      return;
    }
  }
}

/**
 * A commit whose outcome is unknown: its frame was written, the sync failed, and the journal
 * could not zero the frame again (IO_ERROR with details.failed; the journal then fails). After a
 * crash the frame may have reached the disk whole, so the transaction may be there.
 */
export function isInDoubt(e: unknown): boolean {
  const x = e as { code?: string; details?: { failed?: unknown } };
  return x?.code === "IO_ERROR" && x.details?.failed === true;
}

/**
 * Applies to the model the in-doubt command `cmd` (run when the live documents were `live`), as
 * found committed in `state` after reopening: its inserted ids are the ones the model lacks.
 */
export function applyInDoubt(model: Model, cmd: Command, live: readonly string[], state: ReadonlyMap<string, { data: unknown }>): void {
  const fresh = [...state.keys()].filter((id) => !model.docs.has(id));
  switch (cmd.op) {
    case "insert":
      for (const id of fresh) model.docs.set(id, { table: TABLES[cmd.table], data: cmd.doc, deleted: false, versions: 1 });
      return;
    case "batch": {
      const remaining = [...cmd.docs];
      for (const id of fresh) {
        const same = (d: Record<string, unknown>) => JSON.stringify(plain(d), jsonSafe) === JSON.stringify(state.get(id)!.data, jsonSafe);
        const i = remaining.findIndex(same);
        model.docs.set(id, { table: "cars", data: i < 0 ? undefined : remaining.splice(i, 1)[0], deleted: false, versions: 1 });
      }
      return;
    }
    case "update":
    case "delete": {
      if (live.length === 0) return;
      const d = model.docs.get(live[cmd.pick % live.length])!;
      if (cmd.op === "update") d.data = cmd.doc;
      else d.deleted = true;
      d.versions++;
      return;
    }
  }
}

function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}

/** Normalises a document for comparison (toJS turns small ints into numbers, bigints stay). */
export function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => {
    if (typeof x === "bigint") return Number.isSafeInteger(Number(x)) ? Number(x) : `big:${x}`;
    if (x instanceof Uint8Array) return `bytes:${Array.from(x).join(",")}`;
    return x;
  }));
}

/** Asserts the ledger's current and historical state matches the model. */
export async function stateOf(ledger: Ledger): Promise<Map<string, { table: string; data: unknown; versions: number[]; deleted: boolean }>> {
  const out = new Map<string, { table: string; data: unknown; versions: number[]; deleted: boolean }>();
  await ledger.transaction(async (tx) => {
    for (const t of TABLES) {
      for (const row of await tx.scan(t)) out.set(row.id, { table: t, data: plain(toJS(row.data)), versions: [], deleted: false });
    }
  });
  return out;
}
