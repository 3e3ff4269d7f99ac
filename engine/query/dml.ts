/**
 * Nested edits of one document, for UPDATE … SET / REMOVE / INSERT INTO and FROM … SET:
 * documents are immutable, so each edit returns a new struct sharing the untouched parts.
 *
 * A target is a path below the row variable (`SET c.Owner.Name = ?`) or, written without the
 * variable, below the document itself (`SET Owner = ?`, QLDB's usual form). Field steps match
 * a name exactly or (unless quoted) ignoring case, as a read of the path does, and a name that
 * matches more than one field is ambiguous (TYPE_ERROR); list steps take an index.
 * SET creates missing fields (and missing parent structs); SET to MISSING removes the field.
 * REMOVE of a path that does not exist changes nothing. INSERT INTO needs a list at the path
 * (AT gives the position; without AT the value is appended).
 */
import { LedgerError } from "../errors.ts";
import { MAX_DOCUMENT_DEPTH } from "../ion/depth.ts";
import type { IonField, IonList, IonStruct, IonValue } from "../ion/value.ts";
import { AMBIGUOUS, fieldIndex } from "../partiql/eval/index.ts";

/** One resolved step of a target path. */
export type EditStep =
  | { readonly kind: "field"; readonly name: string; readonly caseSensitive: boolean }
  | { readonly kind: "index"; readonly index: number };

function describe(steps: readonly EditStep[]): string {
  return steps.map((s) => (s.kind === "field" ? `.${s.name}` : `[${s.index}]`)).join("");
}

function fail(message: string, steps: readonly EditStep[]): never {
  throw new LedgerError("TYPE_ERROR", `${message} at ${describe(steps) || "the document"}`, { path: describe(steps) });
}

/**
 * The position of the field a step names, or -1 if there is none. Matched as a read of the same
 * path matches (fieldIndex, as stepField does). More than one match is ambiguous, and a
 * TYPE_ERROR here as there: taking the first, as before, changed or removed one of two `x`
 * fields (or an `Owner` for `owner`) that `SELECT x` refuses to read.
 */
function findField(s: IonStruct, step: { name: string; caseSensitive: boolean }, steps: readonly EditStep[], at: number): number {
  const i = fieldIndex(s.fields, step.name, step.caseSensitive);
  if (i !== AMBIGUOUS) return i;
  // Which two, for the message: each field asked by the same rule.
  const [first, second] = s.fields.filter((f) => fieldIndex([f], step.name, step.caseSensitive) === 0).map((f) => f[0]);
  const why = first === second ? "the struct has more than one field of that name" : `it matches both '${first}' and '${second}' (quote it to match one exactly)`;
  fail(`field '${step.name}' is ambiguous (${why}; set the enclosing ${at === 0 ? "document" : "value"} as a whole instead)`, steps.slice(0, at + 1));
}

/**
 * Replaces the value at `steps[at…]` below `root` with `update(current)`; `undefined` from
 * `update` removes it. `create` says whether missing fields and parents may be created. Steps are
 * read by position, not sliced: a path of n steps costs O(n), where copying the rest at every
 * level made 10,000 steps take 4.5 s (the length itself is bounded by editDocument).
 */
function edit(
  root: IonValue,
  steps: readonly EditStep[],
  at: number,
  update: (current: IonValue | undefined) => IonValue | undefined,
  create: boolean,
): IonValue | undefined {
  if (at === steps.length) return update(root);
  const step = steps[at];
  if (step.kind === "field") {
    if (root.kind !== "struct") fail(`cannot reach field ${step.name} of a ${root.kind}`, steps.slice(0, at + 1));
    const i = findField(root, step, steps, at);
    if (i < 0) {
      if (!create) return root;
      const created = at + 1 === steps.length ? update(undefined) : edit({ kind: "struct", fields: [] }, steps, at + 1, update, create);
      if (created === undefined) return root;
      return { ...root, fields: [...root.fields, [step.name, created]] };
    }
    const next = edit(root.fields[i][1], steps, at + 1, update, create);
    const fields: IonField[] = root.fields.slice();
    if (next === undefined) fields.splice(i, 1);
    else fields[i] = [root.fields[i][0], next];
    return { ...root, fields };
  }
  if (root.kind !== "list" && root.kind !== "sexp") fail(`cannot index a ${root.kind}`, steps.slice(0, at + 1));
  const list = root as IonList;
  if (!Number.isSafeInteger(step.index) || step.index < 0 || step.index >= list.items.length) {
    if (!create) return root;
    fail(`index ${step.index} is outside the list of ${list.items.length}`, steps.slice(0, at + 1));
  }
  const next = edit(list.items[step.index], steps, at + 1, update, create);
  const items = list.items.slice();
  if (next === undefined) items.splice(step.index, 1);
  else items[step.index] = next;
  return { ...list, items };
}

/**
 * `edit` of a whole document, which must stay a struct. A path that reaches deeper than a
 * document may nest (MAX_DOCUMENT_DEPTH: the document is level 1, so n steps reach level n + 1)
 * is refused first: nothing can be there, and whatever SET or INSERT INTO made there would be
 * refused anyway. Before, such a path was walked, one stack frame a step: 15,000 steps
 * overflowed the stack (a RangeError, not a LedgerError).
 */
function editDocument(
  doc: IonStruct,
  steps: readonly EditStep[],
  update: (current: IonValue | undefined) => IonValue | undefined,
  create: boolean,
): IonStruct {
  if (steps.length >= MAX_DOCUMENT_DEPTH) {
    throw new LedgerError(
      "LIMIT_EXCEEDED",
      `a path of ${steps.length} steps reaches deeper than a document may nest (${MAX_DOCUMENT_DEPTH} levels)`,
      { limit: "maxValueDepth", max: MAX_DOCUMENT_DEPTH, steps: steps.length },
    );
  }
  const v = edit(doc, steps, 0, update, create);
  if (v === undefined || v.kind !== "struct") {
    throw new LedgerError("TYPE_ERROR", "an update must leave the document a struct", { path: "" });
  }
  return v;
}

/** SET path = value (value undefined: the value was MISSING, so the field goes). */
export function setPath(doc: IonStruct, steps: readonly EditStep[], value: IonValue | undefined): IonStruct {
  return editDocument(doc, steps, () => value, true);
}

/** REMOVE path. */
export function removePath(doc: IonStruct, steps: readonly EditStep[]): IonStruct {
  if (steps.length === 0) throw new LedgerError("TYPE_ERROR", "REMOVE needs a path below the document; use DELETE to remove a document", { path: "" });
  return editDocument(doc, steps, () => undefined, false);
}

/** INSERT INTO path VALUE value [AT position]. */
export function insertAtPath(doc: IonStruct, steps: readonly EditStep[], value: IonValue, at: number | undefined): IonStruct {
  return editDocument(doc, steps, (current) => {
    if (current === undefined || (current.kind !== "list" && current.kind !== "sexp")) {
      fail(`INSERT INTO needs a list, not ${current === undefined ? "a missing value" : current.kind}`, steps);
    }
    const items = current.items.slice();
    const position = at ?? items.length;
    if (!Number.isSafeInteger(position) || position < 0 || position > items.length) {
      fail(`position ${position} is outside the list of ${items.length}`, steps);
    }
    items.splice(position, 0, value);
    return { ...current, items };
  }, true);
}
