/**
 * `quire import <ledger-dir> <table> <file> [--batch <n>] [--create]`: inserts documents read
 * from a file of Ion text, Ion binary or JSON (JSON is Ion text; note that a JSON number with a
 * fraction reads as an Ion decimal, exactly as written). Each top-level value is a document (a
 * struct) or a list of documents.
 *
 * The whole file is read and checked before anything is written (each value a struct, within
 * the document size limit, no field name repeated), so a file with one bad value imports nothing.
 * Documents then go in file order in transactions of --batch (default 100), fewer if their Ion
 * passes half the block limit, each one committed (and synced) before the next starts; if one
 * still fails (the table was dropped meanwhile, say), the ones before it stay committed and the
 * error says how many. --create makes the ledger and the table if missing. The file is held in
 * memory, parsed: several times its size.
 */
import { encodeBinary, ion, ionLiteral, type IonStruct, type IonValue, limits, toText } from "../engine/index.ts";
import { BadInput, parseArgs, readIonValues, Usage, wholeNumber, withLedger } from "./command-kit.ts";
import type { CliIO } from "./io.ts";

export const IMPORT_USAGE = `       quire import <ledger-dir> <table> <file> [--batch <n>] [--create]`;

const DEFAULT_BATCH = 100;

/** A document to import and the size of its Ion. */
interface Doc {
  readonly value: IonStruct;
  readonly bytes: number;
}

/** The first field name a struct in `v` repeats, with its path, or undefined. */
function repeatedField(v: IonValue, path: string): string | undefined {
  if (v.kind === "list" || v.kind === "sexp") {
    for (let i = 0; i < v.items.length; i++) {
      const r = repeatedField(v.items[i], `${path}[${i}]`);
      if (r !== undefined) return r;
    }
  } else if (v.kind === "struct") {
    const seen = new Set<string>();
    for (const [name, field] of v.fields) {
      if (seen.has(name)) return `${path}.${name}`;
      seen.add(name);
      const r = repeatedField(field, `${path}.${name}`);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/**
 * The documents of a file: each top-level struct, and each struct of a top-level list, each
 * checked as far as it can be without the ledger: a struct, within limits.maxDocumentBytes, and
 * with no field name repeated (Ion allows it, but PartiQL cannot read such a field: `d.a` is
 * ambiguous; JSON readers would silently keep one of them).
 */
function documentsOf(values: readonly IonValue[], file: string): Doc[] {
  const docs: Doc[] = [];
  const take = (v: IonValue, where: string) => {
    if (v.kind !== "struct" || (v.annotations !== undefined && v.annotations.length > 0)) {
      throw new BadInput(`${file}: ${where} is ${v.annotations?.length ? "an annotated value" : `a ${v.kind}`}, not a document (a struct)`);
    }
    const repeated = repeatedField(v, "");
    if (repeated !== undefined) throw new BadInput(`${file}: ${where} repeats the field ${repeated.slice(1)}`);
    const bytes = encodeBinary(v).length;
    if (bytes > limits.maxDocumentBytes) {
      throw new BadInput(`${file}: ${where} is ${bytes} bytes of Ion; a document may have ${limits.maxDocumentBytes}`);
    }
    docs.push({ value: v, bytes });
  };
  values.forEach((v, i) => {
    if (v.kind === "list" && (v.annotations === undefined || v.annotations.length === 0)) v.items.forEach((item, j) => take(item, `value ${i + 1}, item ${j + 1}`));
    else take(v, `value ${i + 1}`);
  });
  return docs;
}

/**
 * The documents in transactions of at most `batch`, and of at most half a block's limit in bytes
 * (a block holds each document once, plus its revision's metadata and hashes).
 */
function batches(docs: readonly Doc[], batch: number): Doc[][] {
  const out: Doc[][] = [];
  let current: Doc[] = [];
  let bytes = 0;
  for (const d of docs) {
    if (current.length > 0 && (current.length === batch || bytes + d.bytes > limits.maxBlockBytes / 2)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(d);
    bytes += d.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function importDocuments(argv: readonly string[], io: CliIO): Promise<number> {
  const { positional, values, on } = parseArgs(argv, ["--batch"], ["--create"]);
  if (positional.length !== 3) throw new Usage("import takes a ledger directory, a table and a file");
  const [dir, table, file] = positional;
  const batch = wholeNumber(values.get("--batch"), "--batch", 1, limits.maxDocumentsPerTransaction) ?? DEFAULT_BATCH;
  const create = on.has("--create");
  const docs = documentsOf(readIonValues(file, io), file);
  return withLedger(dir, io, async (ledger) => {
    if (create) {
      const tables: string[] = await ledger.execute("SELECT VALUE name FROM information_schema.user_tables WHERE status = 'ACTIVE'");
      if (!tables.includes(table)) await ledger.transaction((tx) => tx.createTable(table));
    }
    let done = 0;
    let transactions = 0;
    try {
      for (const chunk of batches(docs, batch)) {
        await ledger.transaction(async (tx) => {
          for (const d of chunk) await tx.insert(table, ionLiteral(d.value));
        });
        done += chunk.length;
        transactions++;
      }
    } catch (e) {
      if (done > 0 && e instanceof Error) e.message += ` (the ${done} documents before it were imported, in ${transactions} transactions)`;
      throw e;
    }
    io.out(toText(ion.struct([["table", ion.string(table)], ["documents", ion.int(done)], ["transactions", ion.int(transactions)]])));
    return 0;
  }, create);
}
