/**
 * The PartiQL abstract syntax tree: readonly nodes tagged with `kind`, produced by the parser,
 * consumed by the planner and the evaluator. One node type per concept; every node carries the
 * source span it came from so later stages can report errors at the right place.
 *
 * Keyword-argument syntaxes are normalised into ordinary calls so the evaluator has one path:
 * `EXTRACT(YEAR FROM x)` is call("extract", [sym("year"), x]); `TRIM(LEADING 'x' FROM s)` is
 * call("trim", [sym("leading"), 'x', s]); `SUBSTRING(s FROM 2 FOR 3)` is call("substring", [s, 2, 3]);
 * `POSITION(a IN b)` is call("position", [a, b]); `DATE_ADD(day, 1, t)` is
 * call("date_add", [sym("day"), 1, t]); `COUNT(*)` is call("count", [], {star: true});
 * `CAST(x AS INT)` is a `cast` node. Function names are lower-cased.
 */
import type { PValue } from "./value.ts";

/** Byte offsets [start, end) into the statement text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

interface NodeBase {
  readonly span: Span;
}

// ---- expressions ---------------------------------------------------------------------------

/** A literal: SQL literals (1, 1.5, 'a', TRUE, NULL, MISSING) and Ion literals in backticks. */
export interface Lit extends NodeBase {
  readonly kind: "lit";
  readonly value: PValue;
}

/** A variable or table reference. `"Name"` is case-sensitive; `Name` is not. `@x` is lexical-only. */
export interface VarRef extends NodeBase {
  readonly kind: "var";
  readonly name: string;
  readonly caseSensitive: boolean;
  readonly lexicalOnly: boolean;
}

/** A positional `?` parameter, numbered from 0 in order of appearance. */
export interface Param extends NodeBase {
  readonly kind: "param";
  readonly index: number;
}

export type PathStep =
  /** `.name` or `."Name"` (also `['name']` with a string literal, which is case-sensitive). */
  | { readonly kind: "field"; readonly name: string; readonly caseSensitive: boolean; readonly span: Span }
  /** `[expr]`: an index into a list, or a field name computed at run time. */
  | { readonly kind: "index"; readonly index: Expr; readonly span: Span }
  /** `[*]`: every element of a list (or the value itself). */
  | { readonly kind: "wildcard"; readonly span: Span }
  /** `.*`: every value of a struct. */
  | { readonly kind: "unpivot"; readonly span: Span };

export interface Path extends NodeBase {
  readonly kind: "path";
  readonly root: Expr;
  readonly steps: readonly PathStep[];
}

export type UnaryOp = "neg" | "pos" | "not";

export interface Unary extends NodeBase {
  readonly kind: "unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
}

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%"
  | "||"
  | "=" | "<>" | "<" | "<=" | ">" | ">="
  | "and" | "or";

export interface Binary extends NodeBase {
  readonly kind: "binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

export interface Like extends NodeBase {
  readonly kind: "like";
  readonly value: Expr;
  readonly pattern: Expr;
  readonly escape?: Expr;
  readonly not: boolean;
}

export interface Between extends NodeBase {
  readonly kind: "between";
  readonly value: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly not: boolean;
}

/** `x IN (a, b)` has a list constructor as `collection`; `x IN (SELECT …)` a subquery; `x IN y` any expression. */
export interface In extends NodeBase {
  readonly kind: "in";
  readonly value: Expr;
  readonly collection: Expr;
  readonly not: boolean;
}

/** Types named after IS and in CAST. Parameters (precision, length) are kept but not required. */
export interface TypeName {
  readonly name:
    | "null" | "missing" | "bool" | "smallint" | "int2" | "int4" | "int8" | "int" | "bigint" | "integer"
    | "float" | "real" | "double" | "decimal" | "numeric" | "timestamp" | "date" | "time"
    | "symbol" | "string" | "char" | "varchar" | "clob" | "blob" | "list" | "sexp" | "struct" | "tuple" | "bag"
    | "any";
  readonly params?: readonly number[];
  readonly span: Span;
}

export interface Is extends NodeBase {
  readonly kind: "is";
  readonly value: Expr;
  readonly type: TypeName;
  readonly not: boolean;
}

export interface Case extends NodeBase {
  readonly kind: "case";
  /** Present for `CASE x WHEN v THEN …`; absent for `CASE WHEN cond THEN …`. */
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}

export interface Call extends NodeBase {
  readonly kind: "call";
  /** Lower-cased function name, e.g. "upper", "count", "date_add". */
  readonly name: string;
  readonly args: readonly Expr[];
  /** `COUNT(DISTINCT x)`, `SUM(ALL x)`. */
  readonly setQuantifier?: "all" | "distinct";
  /** `COUNT(*)`. */
  readonly star?: boolean;
}

export interface Cast extends NodeBase {
  readonly kind: "cast";
  readonly value: Expr;
  readonly type: TypeName;
}

export interface ListCtor extends NodeBase {
  readonly kind: "list";
  readonly items: readonly Expr[];
}
export interface BagCtor extends NodeBase {
  readonly kind: "bag";
  readonly items: readonly Expr[];
}
export interface SexpCtor extends NodeBase {
  readonly kind: "sexp";
  readonly items: readonly Expr[];
}
export interface StructCtor extends NodeBase {
  readonly kind: "struct";
  readonly fields: readonly { readonly key: Expr; readonly value: Expr }[];
}

/** `EXISTS (subquery)` and `exists(x)` both become a call("exists"). A query used as a value: */
export interface Subquery extends NodeBase {
  readonly kind: "subquery";
  readonly query: Query;
}

export type Expr =
  | Lit | VarRef | Param | Path | Unary | Binary | Like | Between | In | Is | Case | Call | Cast
  | ListCtor | BagCtor | SexpCtor | StructCtor | Subquery | Query;

// ---- queries -------------------------------------------------------------------------------

export type FromSource =
  /** `expr [AS a] [AT i] [BY id]` — ranges over a collection (a non-collection is a singleton bag). */
  | {
    readonly kind: "scan";
    readonly expr: Expr;
    readonly as?: string;
    readonly at?: string;
    readonly by?: string;
    readonly span: Span;
  }
  /** `UNPIVOT expr [AS v] [AT k]` — ranges over a struct's (value, name) pairs. */
  | { readonly kind: "unpivot"; readonly expr: Expr; readonly as?: string; readonly at?: string; readonly span: Span }
  /** Joins; a comma in FROM is a cross join (and a lateral one: the right side sees the left's variables). */
  | {
    readonly kind: "join";
    readonly type: "cross" | "inner" | "left" | "right" | "full";
    readonly left: FromSource;
    readonly right: FromSource;
    readonly on?: Expr;
    readonly span: Span;
  };

export type Projection =
  /** `SELECT *` */
  | { readonly kind: "star" }
  /** `SELECT a, b AS c, t.*` */
  | { readonly kind: "items"; readonly items: readonly ProjectItem[] }
  /** `SELECT VALUE expr` */
  | { readonly kind: "value"; readonly expr: Expr }
  /** `PIVOT value AT key` */
  | { readonly kind: "pivot"; readonly value: Expr; readonly key: Expr };

export type ProjectItem =
  | { readonly kind: "expr"; readonly expr: Expr; readonly alias?: string; readonly span: Span }
  /** `t.*` */
  | { readonly kind: "all"; readonly expr: Expr; readonly span: Span };

export interface OrderItem {
  readonly expr: Expr;
  readonly direction: "asc" | "desc";
  /** Absent means the default: NULLS LAST for ASC, NULLS FIRST for DESC (PartiQL's rule). */
  readonly nulls?: "first" | "last";
}

export interface GroupBy {
  readonly keys: readonly { readonly expr: Expr; readonly alias?: string }[];
  readonly groupAs?: string;
  readonly partial: boolean;
}

/** SELECT / SELECT VALUE / PIVOT with its clauses. */
export interface Select extends NodeBase {
  readonly kind: "select";
  readonly projection: Projection;
  readonly quantifier: "all" | "distinct";
  readonly from?: FromSource;
  readonly let?: readonly { readonly expr: Expr; readonly as: string }[];
  readonly where?: Expr;
  readonly groupBy?: GroupBy;
  readonly having?: Expr;
  readonly orderBy?: readonly OrderItem[];
  readonly limit?: Expr;
  readonly offset?: Expr;
}

/** UNION / INTERSECT / EXCEPT [ALL | DISTINCT], with OUTER for PartiQL's bag variants. */
export interface SetOp extends NodeBase {
  readonly kind: "setop";
  readonly op: "union" | "intersect" | "except";
  readonly quantifier: "all" | "distinct";
  readonly outer: boolean;
  readonly left: Expr;
  readonly right: Expr;
  readonly orderBy?: readonly OrderItem[];
  readonly limit?: Expr;
  readonly offset?: Expr;
}

export type Query = Select | SetOp;

// ---- statements ----------------------------------------------------------------------------

/** Targets of nested DML: a path rooted at the statement's alias (or the table name). */
export type DmlOp =
  | { readonly kind: "set"; readonly target: Path | VarRef; readonly value: Expr; readonly span: Span }
  | { readonly kind: "remove"; readonly target: Path | VarRef; readonly span: Span }
  /** `INSERT INTO path VALUE v [AT pos]` inside UPDATE / FROM … */
  | { readonly kind: "insert"; readonly target: Path | VarRef; readonly value: Expr; readonly at?: Expr; readonly span: Span };

/** A table named by an identifier (`cars`, `"Cars"`). */
export interface TableRef {
  readonly name: string;
  readonly caseSensitive: boolean;
  readonly span: Span;
}

export interface QueryStatement extends NodeBase {
  readonly kind: "query";
  readonly query: Expr;
}
export interface CreateTable extends NodeBase {
  readonly kind: "create_table";
  readonly table: TableRef;
}
export interface DropTable extends NodeBase {
  readonly kind: "drop_table";
  readonly table: TableRef;
}
/** `UNDROP TABLE "tableId"` */
export interface UndropTable extends NodeBase {
  readonly kind: "undrop_table";
  readonly tableId: string;
}
export interface CreateIndex extends NodeBase {
  readonly kind: "create_index";
  readonly table: TableRef;
  readonly fields: readonly Path[] | readonly VarRef[];
}
/** `DROP INDEX "indexId" ON t` */
export interface DropIndex extends NodeBase {
  readonly kind: "drop_index";
  readonly indexId: string;
  readonly table: TableRef;
}
/** `INSERT INTO t VALUE v` (values: [v]), `INSERT INTO t << a, b >>` / `INSERT INTO t ?` (source: any expression). */
export interface Insert extends NodeBase {
  readonly kind: "insert";
  readonly table: TableRef;
  /** VALUE form: one document. */
  readonly value?: Expr;
  /** Bag / parameter / query form: each element is a document. */
  readonly source?: Expr;
}
/** `UPDATE t [AS a] [BY id] SET … | REMOVE … | INSERT INTO … [WHERE …]` and `FROM t … SET …`. */
export interface Update extends NodeBase {
  readonly kind: "update";
  readonly table: TableRef;
  readonly as?: string;
  readonly by?: string;
  readonly ops: readonly DmlOp[];
  readonly where?: Expr;
}
export interface Delete extends NodeBase {
  readonly kind: "delete";
  readonly table: TableRef;
  readonly as?: string;
  readonly by?: string;
  readonly where?: Expr;
}
/** `EXPLAIN statement`: returns the plan instead of running it. */
export interface Explain extends NodeBase {
  readonly kind: "explain";
  readonly statement: Statement;
}

export type Statement =
  | QueryStatement | CreateTable | DropTable | UndropTable | CreateIndex | DropIndex
  | Insert | Update | Delete | Explain;
