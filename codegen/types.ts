/**
 * TypeScript types -> schema descriptors (client/schema.ts), with validation.
 *
 * The walk is over the declared type *syntax* (so errors point at the offending line and enum
 * values keep their declared order), resolving names through the type checker: `Int` is found
 * by its brand, `Decimal` by its ion-js declaration, `Temporal.Instant`/`PlainDate` by their
 * qualified names (global or @js-temporal/polyfill). Anything the mapping does not cover is a
 * diagnostic — never a silent widening to `any`. Every problem is reported, not just the first.
 */
import * as path from "node:path";
import {
  type InterfaceDeclaration,
  Node,
  type PropertySignature,
  type Symbol as TsSymbol,
  SyntaxKind,
  type TypeAliasDeclaration,
  type TypeNode,
} from "ts-morph";
import type { FieldDescriptor, TableDescriptor, TypeDescriptor } from "../client/schema.ts";
import type { DiagnosticCode, Diagnostics } from "./errors.ts";
import { checkFieldName } from "../engine/index.ts";
import { column, engineRefusal, type TableDeclaration } from "./read.ts";

/** Top-level field names the runtime uses for the document id and its metadata. */
const RESERVED_FIELDS = new Set(["id", "metadata"]);

type Named = InterfaceDeclaration | TypeAliasDeclaration;

/**
 * What describing the tables of one generate run shares, so a type several tables use is
 * written out once too. Diagnostics are per run already.
 */
export interface DescribeMemo {
  /**
   * Each named type a field refers to, described once and shared by every field that refers to
   * it (undefined: it had errors, reported where it was first met). Described per use,
   * a type used twice at each of n levels was described 2^n times: 16 levels took 60 s and 3 GB
   * and wrote a 194 MB client. The emitter writes a shared description out once (emit.ts).
   * Sharing cannot hide a recursion: a type whose description succeeded reaches no type that
   * reaches it back, or that description would have met itself and failed.
   */
  readonly described: Map<Named, TypeDescriptor | undefined>;
  /** Bases an interface extends, checked once each: true if the check found nothing wrong. */
  readonly basesChecked: Map<Named, boolean>;
}

interface Ctx extends DescribeMemo {
  readonly diags: Diagnostics;
  /** Named types being expanded, outermost first (to detect recursion). */
  readonly stack: Named[];
  /** Types being described, one inside another (see MAX_NESTING). */
  nesting: number;
}

/**
 * How deep a table's type may nest, counted as the generated schema constant nests: a struct is
 * two levels of its object literal, a list, record or nullable one. TypeScript gives up comparing
 * the constant with SchemaDescriptor below that (TS2321 "Excessive stack depth"): 23 nested
 * interfaces (46) type-checked and 24 (48) did not, 14 levels of arrays of structs (42) did and
 * 16 (48) did not, with tsc and deno check alike (2026-12-05). So a deeper table is refused with
 * TOO_DEEP rather than written as a client that does not compile.
 */
export const MAX_TYPE_DEPTH = 44;

/**
 * Types described one inside another before TOO_DEEP, whatever they are: an inline type literal
 * 1,500 levels deep was described and written out for minutes (its client grows as the square
 * of its depth) before anything could judge its depth. Far past MAX_TYPE_DEPTH.
 */
const MAX_NESTING = 100;

export function newDescribeMemo(): DescribeMemo {
  return { described: new Map(), basesChecked: new Map() };
}

interface Fields {
  fields: Record<string, FieldDescriptor>;
  /** Fields tagged `@index` (only collected at the top level). */
  indexed: string[];
}

/** Describes one table; undefined when it has errors (they are in `diags`). */
export function describeTable(t: TableDeclaration, diags: Diagnostics, memo: DescribeMemo = newDescribeMemo()): TableDescriptor | undefined {
  const ctx: Ctx = { diags, stack: [], nesting: 0, ...memo };
  const before = diags.count;
  const result = describeNamedAsObject(t.declaration, t.typeName, ctx, true);
  if (result === undefined || diags.count !== before) return undefined;
  const depth = fieldsDepth(result.fields, new Map());
  if (depth > MAX_TYPE_DEPTH) {
    report(
      ctx,
      "TOO_DEEP",
      t.declaration.getNameNode(),
      t.typeName,
      `${t.typeName} nests ${depth} levels deep (a struct counts 2, a list, record or nullable 1); the generated client type-checks to ${MAX_TYPE_DEPTH}`,
      "flatten the nesting: keep deep parts as a document of their own table and store its id, or as a Record",
    );
    return undefined;
  }
  return { table: t.table, typeName: t.typeName, fields: result.fields, indexes: result.indexed };
}

/** The depth of the schema constant's literal for these fields (see MAX_TYPE_DEPTH). */
function fieldsDepth(fields: Readonly<Record<string, FieldDescriptor>>, memo: Map<TypeDescriptor, number>): number {
  let max = 0;
  for (const f of Object.values(fields)) max = Math.max(max, typeDepth(f.type, memo));
  return max;
}

/** Shared descriptors (a named type used in several places) are measured once. */
function typeDepth(d: TypeDescriptor, memo: Map<TypeDescriptor, number>): number {
  const known = memo.get(d);
  if (known !== undefined) return known;
  let depth = 0;
  if (d.kind === "struct") depth = 2 + fieldsDepth(d.fields, memo);
  else if (d.kind === "list" || d.kind === "record" || d.kind === "nullable") depth = 1 + typeDepth(d.of, memo);
  memo.set(d, depth);
  return depth;
}

// ---------------------------------------------------------------------------------------------
// Objects: interfaces, type literals, and aliases of them

function describeNamedAsObject(decl: Named, p: string, ctx: Ctx, topLevel: boolean): Fields | undefined {
  if (decl.getTypeParameters().length > 0) {
    report(ctx, "UNSUPPORTED_TYPE", decl.getNameNode(), p, `generic type ${decl.getName()}<…> is not supported`, "declare a concrete interface without type parameters");
    return undefined;
  }
  if (ctx.stack.includes(decl)) {
    report(ctx, "RECURSIVE_TYPE", decl.getNameNode(), p, `recursive type: ${decl.getName()} contains itself`, "store the related document's id (a string) instead of nesting the type in itself");
    return undefined;
  }
  ctx.stack.push(decl);
  try {
    if (Node.isInterfaceDeclaration(decl)) return describeInterface(decl, p, ctx, topLevel);
    const node = decl.getTypeNodeOrThrow();
    const target = unwrap(node);
    if (Node.isTypeLiteral(target)) return describeMembers(target.getMembers(), p, ctx, topLevel);
    if (Node.isTypeReference(target)) {
      const named = resolveNamed(target);
      if (named !== undefined && target.getTypeArguments().length === 0) return describeNamedAsObject(named, p, ctx, topLevel);
    }
    report(ctx, "BAD_TABLE", node, p, `a table type must be an object type, not \`${node.getText()}\``, "declare the table as an interface (or a type alias of an object type literal)");
    return undefined;
  } finally {
    ctx.stack.pop();
  }
}

function describeInterface(decl: InterfaceDeclaration, p: string, ctx: Ctx, topLevel: boolean): Fields | undefined {
  let ok = true;
  for (const base of decl.getExtends()) {
    const expr = base.getExpression();
    const symbol = resolveSymbol(expr.getSymbol());
    const target = symbol?.getDeclarations()[0];
    if (base.getTypeArguments().length > 0) {
      report(ctx, "UNSUPPORTED_TYPE", base, p, `extends a generic type (${base.getText()})`, "extend a concrete interface without type arguments");
      ok = false;
    } else if (target === undefined || !(Node.isInterfaceDeclaration(target) || Node.isTypeAliasDeclaration(target)) || isLibrary(target)) {
      report(ctx, "UNSUPPORTED_TYPE", base, p, `${decl.getName()} extends ${base.getText()}, which is not a schema interface`, "extend only interfaces declared in the schema files, or list the fields");
      ok = false;
    } else if (ctx.stack.includes(target)) {
      report(ctx, "RECURSIVE_TYPE", base, p, `recursive type: ${decl.getName()} extends a type that contains it`, "store the related document's id (a string) instead of nesting the type in itself");
      ok = false;
    } else if (ctx.basesChecked.has(target)) {
      // Checked already (diamond-shaped extends were checked once per path: 2^n times for n
      // levels); what it found was reported then. The same argument as for `described` holds.
      if (!ctx.basesChecked.get(target)) ok = false;
    } else {
      // Validate the base itself (its own errors, recursion) as part of this object.
      const before = ctx.diags.count;
      describeNamedAsObject(target, p, ctx, topLevel);
      const fine = ctx.diags.count === before;
      ctx.basesChecked.set(target, fine);
      if (!fine) ok = false;
    }
  }
  for (const sig of decl.getIndexSignatures()) {
    report(ctx, "UNSUPPORTED_TYPE", sig, p, "index signatures are not supported in a struct", "use a field of type Record<string, T>");
    ok = false;
  }
  for (const sig of [...decl.getCallSignatures(), ...decl.getConstructSignatures()]) {
    report(ctx, "UNSUPPORTED_TYPE", sig, p, "call and construct signatures (functions) cannot be stored", "remove the signature; store data only");
    ok = false;
  }
  if (!ok) {
    // Its own fields are still looked at, so their problems are reported in the same run (the
    // bases' fields were reported by checking the bases).
    describeMembers(decl.getMembers(), p, ctx, topLevel);
    return undefined;
  }
  // The checker's property list includes inherited fields (own first, then the bases').
  const members: Node[] = [];
  for (const symbol of decl.getType().getProperties()) {
    const d = symbol.getDeclarations()[0];
    if (d !== undefined) members.push(d);
  }
  return describeMembers(members, p, ctx, topLevel);
}

function describeMembers(members: readonly Node[], p: string, ctx: Ctx, topLevel: boolean): Fields | undefined {
  const fields: Record<string, FieldDescriptor> = {};
  const indexed: string[] = [];
  let ok = true;
  for (const member of members) {
    const r = describeMember(member, p, ctx, topLevel);
    if (r === undefined) {
      ok = false;
      continue;
    }
    fields[r.name] = r.field;
    if (r.index) indexed.push(r.name);
  }
  return ok ? { fields, indexed } : undefined;
}

function describeMember(
  member: Node,
  p: string,
  ctx: Ctx,
  topLevel: boolean,
): { name: string; field: FieldDescriptor; index: boolean } | undefined {
  if (Node.isIndexSignatureDeclaration(member)) {
    report(ctx, "UNSUPPORTED_TYPE", member, p, "index signatures are not supported in a struct", "use a field of type Record<string, T>");
    return undefined;
  }
  if (Node.isCallSignatureDeclaration(member) || Node.isConstructSignatureDeclaration(member)) {
    report(ctx, "UNSUPPORTED_TYPE", member, p, "call and construct signatures (functions) cannot be stored", "remove the signature; store data only");
    return undefined;
  }
  if (!(Node.isPropertySignature(member) || Node.isPropertyDeclaration(member) || Node.isMethodSignature(member) || Node.isMethodDeclaration(member) || Node.isGetAccessorDeclaration(member) || Node.isSetAccessorDeclaration(member))) {
    report(ctx, "UNSUPPORTED_TYPE", member, p, `unsupported member (${member.getKindName()})`, "declare plain fields `name: T`");
    return undefined;
  }
  const nameNode = member.getNameNode();
  const name = memberName(nameNode);
  const fp = `${p}.${name ?? nameNode.getText()}`;
  if (name === undefined) {
    report(ctx, "UNSUPPORTED_TYPE", nameNode, fp, "computed and symbol-keyed fields are not supported", "use a plain string field name");
    return undefined;
  }
  if (Node.isMethodSignature(member) || Node.isMethodDeclaration(member)) {
    report(ctx, "UNSUPPORTED_TYPE", member, fp, "methods (functions) cannot be stored", "remove the method; store data only");
    return undefined;
  }
  if (Node.isGetAccessorDeclaration(member) || Node.isSetAccessorDeclaration(member)) {
    report(ctx, "UNSUPPORTED_TYPE", member, fp, "accessors are not supported", "declare a plain field `name: T`");
    return undefined;
  }
  let ok = true;
  if (!name.isWellFormed()) {
    report(ctx, "UNSUPPORTED_TYPE", nameNode, fp, "a field name with a lone surrogate cannot be stored (UTF-8 cannot encode it)", "remove the lone surrogate");
    return undefined;
  }
  if (name === "__proto__") {
    // Object literals and assignments take it for the prototype, not a field: the schema and
    // every document the client builds would silently lose it.
    report(ctx, "RESERVED_FIELD", nameNode, fp, `field name "__proto__" cannot be used: JavaScript objects take it for their prototype, so its value would be lost`, "rename the field");
    return undefined;
  }
  if (topLevel && RESERVED_FIELDS.has(name)) {
    const what = name === "id" ? "the document id" : "the document's metadata (version, txTime, txId)";
    const suggestion = `${p.charAt(0).toLowerCase() + p.slice(1)}${name.charAt(0).toUpperCase() + name.slice(1)}`;
    report(ctx, "RESERVED_FIELD", nameNode, fp, `field name "${name}" is reserved for ${what}, which Quire returns beside the data`, `rename the field, e.g. ${suggestion}`);
    ok = false;
  }
  const index = indexTag(member);
  // The engine refuses such an index when the client connects: every connect would fail.
  const unindexable = index === undefined || !topLevel ? undefined : engineRefusal(checkFieldName, name);
  if (index !== undefined && !topLevel) {
    report(ctx, "BAD_INDEX", index, fp, "@index is only allowed on top-level fields of a table", "index a top-level field, or move the value to the top level");
    ok = false;
  } else if (index !== undefined && unindexable !== undefined) {
    report(ctx, "BAD_INDEX", index, fp, `field ${JSON.stringify(name)} cannot be indexed: ${unindexable}`, "index another field, or rename this one");
    ok = false;
  }
  const typeNode = (member as PropertySignature).getTypeNode();
  if (typeNode === undefined) {
    report(ctx, "UNSUPPORTED_TYPE", nameNode, fp, "field has no declared type (implicitly any)", "declare the field's type");
    return undefined;
  }
  const type = describeType(typeNode, fp, ctx);
  if (type === undefined || !ok) return undefined;
  return { name, field: { type, optional: (member as PropertySignature).hasQuestionToken() }, index: index !== undefined };
}

/**
 * The member's `@index` tag, if any: from its JSDoc, or from a `/** @index *\/` comment on the
 * same line as the preceding `{` or `;` (which TypeScript does not attach as JSDoc).
 */
function indexTag(member: Node & { getJsDocs(): import("ts-morph").JSDoc[] }): Node | undefined {
  const tag = member.getJsDocs().flatMap((doc) => doc.getTags()).find((t) => t.getTagName() === "index");
  if (tag !== undefined) return tag;
  const trivia = member.getSourceFile().getFullText().slice(member.getPos(), member.getStart());
  const inline = /\/\*\*(?:(?!\*\/)[\s\S])*@index\b/.test(trivia);
  return inline ? member : undefined;
}

function memberName(nameNode: Node): string | undefined {
  if (Node.isIdentifier(nameNode) || Node.isPrivateIdentifier(nameNode)) return nameNode.getText();
  if (Node.isStringLiteral(nameNode) || Node.isNoSubstitutionTemplateLiteral(nameNode)) return nameNode.getLiteralText();
  if (Node.isNumericLiteral(nameNode)) return String(nameNode.getLiteralValue());
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Types

const FIX_TEMPORAL = "use Temporal.Instant (a point in time) or Temporal.PlainDate (a calendar date)";
const FIX_UNION = "use one type, or a union of string literals for a fixed set of values";

function describeType(node: TypeNode, p: string, ctx: Ctx): TypeDescriptor | undefined {
  if (ctx.nesting >= MAX_NESTING) {
    return fail(ctx, node, p, `the type nests more than ${MAX_NESTING} types deep`, "flatten the nesting: keep deep parts as a document of their own table and store its id", "TOO_DEEP");
  }
  ctx.nesting++;
  try {
    return describeTypeNode(node, p, ctx);
  } finally {
    ctx.nesting--;
  }
}

function describeTypeNode(node: TypeNode, p: string, ctx: Ctx): TypeDescriptor | undefined {
  const n = unwrap(node);
  switch (n.getKind()) {
    case SyntaxKind.StringKeyword:
      return { kind: "string" };
    case SyntaxKind.BooleanKeyword:
      return { kind: "bool" };
    case SyntaxKind.NumberKeyword:
      return { kind: "float" };
    case SyntaxKind.BigIntKeyword:
      return { kind: "bigint" };
    case SyntaxKind.AnyKeyword:
      return fail(ctx, n, p, "`any` is not allowed", "declare the field's actual type");
    case SyntaxKind.UnknownKeyword:
      return fail(ctx, n, p, "`unknown` is not allowed", "declare the field's actual type");
    case SyntaxKind.UndefinedKeyword:
    case SyntaxKind.VoidKeyword:
      return fail(ctx, n, p, `\`${n.getText()}\` is not a storable type`, "make the field optional (`name?: T`) to allow it to be absent");
    case SyntaxKind.NeverKeyword:
    case SyntaxKind.ObjectKeyword:
      return fail(ctx, n, p, `\`${n.getText()}\` is not a storable type`, "declare the field's actual type");
    case SyntaxKind.SymbolKeyword:
      return fail(ctx, n, p, "symbols cannot be stored", "use a string");
    case SyntaxKind.ArrayType: {
      if (!Node.isArrayTypeNode(n)) break;
      const of = describeType(n.getElementTypeNode(), `${p}[]`, ctx);
      return of && { kind: "list", of };
    }
    case SyntaxKind.TypeOperator: {
      if (!Node.isTypeOperatorTypeNode(n)) break;
      const op = n.getOperator();
      const inner = unwrap(n.getTypeNode());
      if (op === SyntaxKind.ReadonlyKeyword && Node.isArrayTypeNode(inner)) return describeType(inner, p, ctx);
      if (op === SyntaxKind.ReadonlyKeyword && Node.isTupleTypeNode(inner)) return describeType(inner, p, ctx);
      if (op === SyntaxKind.UniqueKeyword) return fail(ctx, n, p, "symbols cannot be stored", "use a string");
      return fail(ctx, n, p, `type operator \`${n.getText()}\` is not supported`, "declare the field's actual type");
    }
    case SyntaxKind.TupleType:
      return fail(ctx, n, p, "tuple types are not supported", "use T[] for a list, or an interface with named fields");
    case SyntaxKind.UnionType:
      return describeUnion(n, p, ctx);
    case SyntaxKind.IntersectionType:
      return fail(ctx, n, p, "intersection types are not supported", "declare one interface with all the fields (use `extends` to share them)");
    case SyntaxKind.LiteralType: {
      if (!Node.isLiteralTypeNode(n)) break;
      const lit = n.getLiteral();
      if (Node.isStringLiteral(lit)) {
        const v = lit.getLiteralText();
        if (!v.isWellFormed()) return fail(ctx, n, p, "a string literal type with a lone surrogate cannot be stored (UTF-8 cannot encode it)", "remove the lone surrogate");
        return { kind: "enum", values: [v] };
      }
      if (lit.getKind() === SyntaxKind.NullKeyword) return fail(ctx, n, p, "a field that is always null is not supported", "use `T | null`");
      if (lit.getKind() === SyntaxKind.TrueKeyword || lit.getKind() === SyntaxKind.FalseKeyword) {
        return fail(ctx, n, p, `boolean literal type \`${n.getText()}\` is not supported`, "use boolean");
      }
      return fail(ctx, n, p, `number literal type \`${n.getText()}\` is not supported`, "use Int or number (checked by your code), or a union of string literals");
    }
    case SyntaxKind.TemplateLiteralType:
      return fail(ctx, n, p, "template literal types are not supported", "use string");
    case SyntaxKind.TypeLiteral: {
      if (!Node.isTypeLiteral(n)) break;
      const r = describeMembers(n.getMembers(), p, ctx, false);
      return r && { kind: "struct", fields: r.fields };
    }
    case SyntaxKind.FunctionType:
    case SyntaxKind.ConstructorType:
      return fail(ctx, n, p, "functions cannot be stored", "remove the field, or store data that describes it");
    case SyntaxKind.TypeReference:
      if (Node.isTypeReference(n)) return describeReference(n, p, ctx);
      break;
    case SyntaxKind.TypeQuery:
      return fail(ctx, n, p, "`typeof` types are not supported", "declare the field's type explicitly");
    case SyntaxKind.ImportType:
      return fail(ctx, n, p, "inline import types are not supported", "import the type with an import declaration");
  }
  return fail(ctx, n, p, `unsupported type \`${n.getText()}\``, "use one of the supported types (see client/schema.ts)");
}

function describeReference(n: Node & { getTypeName(): Node; getTypeArguments(): TypeNode[] }, p: string, ctx: Ctx): TypeDescriptor | undefined {
  const nameText = n.getTypeName().getText();
  const args = n.getTypeArguments();
  const symbol = resolveSymbol(n.getTypeName().getSymbol());
  const decl = symbol?.getDeclarations()[0];
  if (symbol === undefined || decl === undefined) {
    // Temporal's types may come from the runtime's global declarations the reader does not load.
    if (nameText === "Temporal.Instant") return { kind: "instant" };
    if (nameText === "Temporal.PlainDate") return { kind: "date" };
    if (nameText.startsWith("Temporal.")) return fail(ctx, n, p, `${nameText} is not supported`, FIX_TEMPORAL);
    return fail(ctx, n, p, `cannot resolve type \`${nameText}\``, "import or declare the type in the schema files", "UNRESOLVED_TYPE");
  }
  if (Node.isTypeParameterDeclaration(decl)) {
    return fail(ctx, n, p, `type parameter \`${nameText}\`: generic types are not supported`, "use a concrete type");
  }
  const qualified = symbol.getFullyQualifiedName().replace(/^"[^"]*"\./, "");
  // Known types, by where they are declared.
  if (qualified === "Temporal.Instant" || qualified.endsWith(".Temporal.Instant")) return { kind: "instant" };
  if (qualified === "Temporal.PlainDate" || qualified.endsWith(".Temporal.PlainDate")) return { kind: "date" };
  if (/^(.*\.)?Temporal\.\w+$/.test(qualified)) {
    return fail(ctx, n, p, `${nameText} is not supported`, FIX_TEMPORAL);
  }
  if (symbol.getName() === "Decimal" && decl.getSourceFile().getFilePath().includes("/ion-js/")) return { kind: "decimal" };
  if (Node.isTypeAliasDeclaration(decl) && isIntBrand(decl)) return { kind: "int" };

  if (isLibrary(decl)) return describeLibraryReference(n, symbol.getName(), args, p, ctx);

  if (Node.isClassDeclaration(decl)) {
    return fail(ctx, n, p, `class ${nameText} cannot be stored (classes carry behaviour and a prototype)`, "declare an interface with the class's data fields");
  }
  if (Node.isEnumDeclaration(decl)) {
    return fail(ctx, n, p, `TypeScript enum ${nameText} is not supported`, 'use a union of string literals, e.g. "red" | "green"');
  }
  if (Node.isInterfaceDeclaration(decl) || Node.isTypeAliasDeclaration(decl)) {
    if (args.length > 0 || decl.getTypeParameters().length > 0) {
      return fail(ctx, n, p, `generic type ${nameText}<…> is not supported`, "declare a concrete interface without type parameters");
    }
    if (ctx.stack.includes(decl)) {
      return fail(ctx, n, p, `recursive type: ${decl.getName()} contains itself`, "store the related document's id (a string) instead of nesting the type in itself", "RECURSIVE_TYPE");
    }
    if (ctx.described.has(decl)) return ctx.described.get(decl);
    let described: TypeDescriptor | undefined;
    if (Node.isInterfaceDeclaration(decl)) {
      const r = describeNamedAsObject(decl, p, ctx, false);
      described = r && { kind: "struct", fields: r.fields };
    } else {
      ctx.stack.push(decl);
      try {
        described = describeType(decl.getTypeNodeOrThrow(), p, ctx);
      } finally {
        ctx.stack.pop();
      }
    }
    ctx.described.set(decl, described);
    return described;
  }
  return fail(ctx, n, p, `\`${nameText}\` is not a type that can be stored`, "use one of the supported types (see client/schema.ts)");
}

function describeLibraryReference(n: Node, name: string, args: TypeNode[], p: string, ctx: Ctx): TypeDescriptor | undefined {
  switch (name) {
    case "Array":
    case "ReadonlyArray": {
      if (args.length !== 1) break;
      const of = describeType(args[0], `${p}[]`, ctx);
      return of && { kind: "list", of };
    }
    case "Record": {
      if (args.length !== 2) break;
      if (unwrap(args[0]).getKind() !== SyntaxKind.StringKeyword) {
        return fail(ctx, n, p, `Record<${args[0].getText()}, …> is not supported: keys must be string`, "use Record<string, T>, or an interface with the fixed keys as fields");
      }
      const of = describeType(args[1], `${p}[string]`, ctx);
      return of && { kind: "record", of };
    }
    case "Uint8Array":
      return { kind: "blob" };
    case "Date":
      return fail(ctx, n, p, "Date is not supported (it loses precision and offset)", "use Temporal.Instant (or Temporal.PlainDate for a calendar date)");
    case "Map":
    case "ReadonlyMap":
    case "WeakMap":
      return fail(ctx, n, p, `${name} is not supported`, "use Record<string, T>");
    case "Set":
    case "ReadonlySet":
    case "WeakSet":
      return fail(ctx, n, p, `${name} is not supported`, "use T[]");
    case "Function":
    case "CallableFunction":
    case "NewableFunction":
      return fail(ctx, n, p, "functions cannot be stored", "remove the field, or store data that describes it");
    case "Symbol":
      return fail(ctx, n, p, "symbols cannot be stored", "use a string");
    case "Partial":
    case "Required":
    case "Readonly":
    case "Pick":
    case "Omit":
    case "Exclude":
    case "Extract":
    case "NonNullable":
      return fail(ctx, n, p, `utility type ${name}<…> is not supported`, "write the resulting interface out");
  }
  return fail(ctx, n, p, `\`${n.getText()}\` is not a type that can be stored`, "use one of the supported types (see client/schema.ts)");
}

// ---------------------------------------------------------------------------------------------
// Unions: `T | null`, string literal unions, boolean

function describeUnion(n: Node, p: string, ctx: Ctx): TypeDescriptor | undefined {
  const members: TypeNode[] = [];
  flattenUnion(n, members, new Set());
  let nullable = false;
  const rest: TypeNode[] = [];
  for (const m of members) {
    const kind = m.getKind();
    if (Node.isLiteralTypeNode(m) && m.getLiteral().getKind() === SyntaxKind.NullKeyword) nullable = true;
    else if (kind === SyntaxKind.UndefinedKeyword || kind === SyntaxKind.VoidKeyword) {
      return fail(ctx, n, p, "`undefined` in a union is not supported", "make the field optional (`name?: T`) instead of `T | undefined`");
    } else rest.push(m);
  }
  const inner = describeUnionRest(n, rest, p, ctx);
  if (inner === undefined) return undefined;
  return nullable && inner.kind !== "nullable" ? { kind: "nullable", of: inner } : inner;
}

function describeUnionRest(n: Node, rest: TypeNode[], p: string, ctx: Ctx): TypeDescriptor | undefined {
  if (rest.length === 0) return fail(ctx, n, p, "a field that is always null is not supported", "use `T | null`");
  if (rest.length === 1) return describeType(rest[0], p, ctx);
  const literal = (m: TypeNode) => (Node.isLiteralTypeNode(m) ? m.getLiteral() : undefined);
  if (rest.every((m) => literal(m) !== undefined && Node.isStringLiteral(literal(m)!))) {
    const values = new Set<string>();
    for (const m of rest) {
      const v = (literal(m) as Node & { getLiteralText(): string }).getLiteralText();
      if (!v.isWellFormed()) return fail(ctx, m, p, "a string literal type with a lone surrogate cannot be stored (UTF-8 cannot encode it)", "remove the lone surrogate");
      values.add(v);
    }
    return { kind: "enum", values: [...values] };
  }
  const isBool = (m: TypeNode) =>
    m.getKind() === SyntaxKind.BooleanKeyword || literal(m)?.getKind() === SyntaxKind.TrueKeyword || literal(m)?.getKind() === SyntaxKind.FalseKeyword;
  if (rest.every(isBool)) {
    const texts = new Set(rest.map((m) => m.getText()));
    if (texts.has("boolean") || (texts.has("true") && texts.has("false"))) return { kind: "bool" };
  }
  const numeric = (m: TypeNode) => {
    const l = literal(m);
    return l !== undefined && (Node.isNumericLiteral(l) || Node.isPrefixUnaryExpression(l) || Node.isBigIntLiteral(l));
  };
  if (rest.every(numeric)) {
    return fail(ctx, n, p, `number literal unions (${n.getText()}) are not supported`, "use Int or number (checked by your code), or a union of string literals");
  }
  return fail(ctx, n, p, `union of unrelated types (${rest.map((m) => m.getText()).join(" | ")}) is not supported`, FIX_UNION);
}

/**
 * Flattens nested unions, parentheses and non-generic aliases of unions (`Color | null`). Each
 * alias is expanded once per union: a union is a set, so a second expansion adds nothing, and
 * `type U1 = U0 | U0; type U2 = U1 | U1; …` would otherwise take 2^n steps (57 s at 24 levels).
 */
function flattenUnion(n: Node, out: TypeNode[], seen: Set<Node>): void {
  const u = unwrap(n as TypeNode);
  if (Node.isUnionTypeNode(u)) {
    for (const m of u.getTypeNodes()) flattenUnion(m, out, seen);
    return;
  }
  if (Node.isTypeReference(u) && u.getTypeArguments().length === 0) {
    const decl = resolveNamed(u);
    if (decl !== undefined && Node.isTypeAliasDeclaration(decl) && decl.getTypeParameters().length === 0) {
      const target = unwrap(decl.getTypeNodeOrThrow());
      if (Node.isUnionTypeNode(target)) {
        if (seen.has(decl)) return;
        seen.add(decl);
        flattenUnion(target, out, seen);
        return;
      }
    }
  }
  out.push(u);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function unwrap(node: TypeNode): TypeNode {
  let n = node;
  while (Node.isParenthesizedTypeNode(n)) n = n.getTypeNode();
  return n;
}

function resolveSymbol(symbol: TsSymbol | undefined): TsSymbol | undefined {
  let s = symbol;
  for (let i = 0; s !== undefined && s.isAlias() && i < 16; i++) s = s.getAliasedSymbol();
  return s;
}

/** A schema interface or type alias a reference points at (not a library type). */
function resolveNamed(ref: Node & { getTypeName(): Node }): Named | undefined {
  const decl = resolveSymbol(ref.getTypeName().getSymbol())?.getDeclarations()[0];
  if (decl === undefined || isLibrary(decl)) return undefined;
  return Node.isInterfaceDeclaration(decl) || Node.isTypeAliasDeclaration(decl) ? decl : undefined;
}

/** Declared by TypeScript's lib files or a package (not by the schema's own files). */
function isLibrary(decl: Node): boolean {
  const file = decl.getSourceFile();
  return file.isInNodeModules() || file.isFromExternalLibrary() || /[\\/]typescript[\\/]lib[\\/]lib\.[^\\/]*\.d\.ts$/.test(file.getFilePath());
}

/** `Int` from client/schema.ts: `number & { readonly __quireInt: true }` (found by its brand). */
function isIntBrand(decl: TypeAliasDeclaration): boolean {
  const type = decl.getType();
  return type.isIntersection() && type.getProperty("__quireInt") !== undefined &&
    type.getIntersectionTypes().some((t) => t.isNumber());
}

function report(ctx: Ctx, code: DiagnosticCode, node: Node, p: string, message: string, fix: string): void {
  ctx.diags.add({
    code,
    file: path.resolve(node.getSourceFile().getFilePath()),
    line: node.getStartLineNumber(),
    column: column(node),
    path: p,
    message,
    fix,
  });
}

function fail(ctx: Ctx, node: Node, p: string, message: string, fix: string, code: DiagnosticCode = "UNSUPPORTED_TYPE"): undefined {
  report(ctx, code, node, p, message, fix);
  return undefined;
}

