/**
 * Extracts the statements of the tier-A conformance cases (tier-a.jsonl) from the PartiQL test
 * suite's Ion files, so the parser can be measured against the suite without running it.
 *
 * A suite file is a stream of Ion values: an annotated list is a namespace (first annotation is
 * its name; namespaces nest), `equiv_class::{id, statements}` names a set of equivalent
 * statements, `envs::{…}` is an environment (skipped here), and any other struct is a test case
 * `{name, statement, …}` whose statement is a string or a symbol naming an equiv_class.
 * We use ion-js's streaming reader and step over outputs and environments without building them.
 */
import { readFileSync } from "node:fs";
import { IonTypes, makeReader, type Reader } from "ion-js";

export const SUITE_DIR = "/work/shared/partiql-tests";
const ROOTS: Record<string, string> = {
  core: `${SUITE_DIR}/partiql-tests-data/eval`,
  ext: `${SUITE_DIR}/partiql-tests-data-extended/eval`,
  equiv: `${SUITE_DIR}/partiql-tests-data/eval-equiv`,
};

export interface TierACase {
  readonly root: string;
  readonly file: string;
  readonly namespace: string;
  readonly name: string;
  readonly mode: string;
  readonly result: "EvaluationSuccess" | "EvaluationFail";
  readonly group: string;
}

/** One statement to parse: a tier-A case expands to several when it names an equiv_class. */
export interface SuiteStatement extends TierACase {
  readonly statement: string;
}

interface FileCases {
  /** "namespace\u0000name" → the statements of that test case. */
  readonly cases: Map<string, string[]>;
}

function readStruct(r: Reader, onField: (name: string, t: ReturnType<Reader["next"]>) => void): void {
  r.stepIn();
  for (let t = r.next(); t !== null; t = r.next()) onField(r.fieldName() ?? "", t);
  r.stepOut();
}

function loadFile(path: string): FileCases {
  const r = makeReader(readFileSync(path, "utf8"));
  const cases = new Map<string, string[]>();
  const equiv = new Map<string, string[]>();
  const walk = (ns: string[]) => {
    for (let t = r.next(); t !== null; t = r.next()) {
      const anns = r.annotations();
      if (t === IonTypes.LIST && anns.length > 0) {
        r.stepIn();
        walk([...ns, anns[0]]);
        r.stepOut();
      } else if (t === IonTypes.STRUCT && anns[0] === "equiv_class") {
        let id = "";
        const statements: string[] = [];
        readStruct(r, (f, ft) => {
          if (f === "id") id = r.stringValue() ?? "";
          else if (f === "statements" && ft === IonTypes.LIST) {
            r.stepIn();
            for (let s = r.next(); s !== null; s = r.next()) statements.push(r.stringValue() ?? "");
            r.stepOut();
          }
        });
        equiv.set(id, statements);
      } else if (t === IonTypes.STRUCT && anns.length === 0) {
        let name = "";
        let statements: string[] = [];
        readStruct(r, (f, ft) => {
          if (f === "name") name = r.stringValue() ?? "";
          else if (f === "statement") {
            const s = r.stringValue() ?? "";
            statements = ft === IonTypes.SYMBOL ? (equiv.get(s) ?? []) : [s];
          }
        });
        const key = ns.join("/") + "\u0000" + name;
        if (!cases.has(key)) cases.set(key, statements);
      }
      // envs::{…} and anything else: stepped over by the next r.next().
    }
  };
  walk([]);
  return { cases };
}

/** Every tier-A case with its statement(s). Throws if a case cannot be found in its file. */
export function tierAStatements(): SuiteStatement[] {
  const lines = readFileSync(`${SUITE_DIR}/tier-a.jsonl`, "utf8").split("\n").filter((l) => l.trim() !== "");
  const files = new Map<string, FileCases>();
  const out: SuiteStatement[] = [];
  for (const line of lines) {
    const c = JSON.parse(line) as TierACase;
    const path = `${ROOTS[c.root]}/${c.file}`;
    let f = files.get(path);
    if (!f) files.set(path, (f = loadFile(path)));
    const statements = f.cases.get(c.namespace + "\u0000" + c.name);
    if (!statements) throw new Error(`tier-A case not found: ${c.root}/${c.file} ${c.namespace} ${c.name}`);
    for (const statement of statements) out.push({ ...c, statement });
  }
  return out;
}
