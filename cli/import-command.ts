/**
 * `quire import <ledger-dir> <table> <file> [--batch <n>] [--create]`: inserts documents read
 * from a file of Ion text, Ion binary or JSON (JSON is Ion text; note that a JSON number with a
 * fraction reads as an Ion decimal, exactly as written). Each top-level value is a document (a
 * struct) or a list of documents.
 *
 * The whole file is read and checked before anything is written, so a file with one bad value
 * imports nothing. Documents then go in transactions of --batch (default 100) in file order, each
 * one committed (and synced) before the next starts; if one fails, the ones before it stay
 * committed and the error says how many. --create makes the ledger and the table if missing.
 */
import { ion, ionLiteral, type IonStruct, type IonValue, limits, toText } from "../engine/index.ts";
import { BadInput, parseArgs, readIonValues, Usage, wholeNumber, withLedger } from "./command-kit.ts";
import type { CliIO } from "./io.ts";

export const IMPORT_USAGE = `       quire import <ledger-dir> <table> <file> [--batch <n>] [--create]`;

const DEFAULT_BATCH = 100;

/** The documents of a file: each top-level struct, and each struct of a top-level list. */
function documentsOf(values: readonly IonValue[], file: string): IonStruct[] {
  const docs: IonStruct[] = [];
  const take = (v: IonValue, where: string) => {
    if (v.kind !== "struct" || (v.annotations !== undefined && v.annotations.length > 0)) {
      throw new BadInput(`${file}: ${where} is ${v.annotations?.length ? "an annotated value" : `a ${v.kind}`}, not a document (a struct)`);
    }
    docs.push(v);
  };
  values.forEach((v, i) => {
    if (v.kind === "list" && (v.annotations === undefined || v.annotations.length === 0)) v.items.forEach((item, j) => take(item, `value ${i + 1}, item ${j + 1}`));
    else take(v, `value ${i + 1}`);
  });
  return docs;
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
      for (let start = 0; start < docs.length; start += batch) {
        const chunk = docs.slice(start, start + batch);
        await ledger.transaction(async (tx) => {
          for (const d of chunk) await tx.insert(table, ionLiteral(d));
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
