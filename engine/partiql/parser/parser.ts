/**
 * The parser: tokens → AST, by recursive descent with precedence climbing for operators.
 *
 * Precedence, loosest first (as in partiql-lang-kotlin's grammar):
 *   UNION / EXCEPT < INTERSECT < OR < AND < NOT < predicates (= <> < <= > >= IS IN LIKE BETWEEN,
 *   left-associative at one level) < || < + - < * / % < unary + - < postfix paths.
 * Set operators are only taken at the top of an expression (statement, parentheses, arguments),
 * never inside a SELECT's clauses, so `SELECT … WHERE x UNION SELECT …` unions two queries.
 *
 * Errors: `fail` records a diagnostic and throws ParseFailure, which unwinds to the nearest
 * recovery point (a list element or a clause); that point skips tokens to a synchronising token
 * (a comma, a closing bracket, a clause keyword) at its own nesting level and carries on, so one
 * run reports several mistakes. Nesting is counted on every recursive path and bounded by
 * limits.maxExpressionDepth (LIMIT_EXCEEDED, never a stack overflow).
 *
 * Decisions worth knowing in the AST:
 * - `-` directly applied to a numeric literal is folded into a negative literal (so
 *   `-9223372036854775808` is one INT8 value, not the negation of an out-of-range one).
 * - A parenthesised query in expression position is a `subquery` node (the evaluator decides
 *   coercion by context). In FROM, as the right side of IN, and at the top of a statement the
 *   query is used directly.
 * - `x IN (a)` and `x IN (a, b)` take a list constructor; `x IN (SELECT …)` / `x IN (VALUES …)` the
 *   query or bag itself; `x IN y` any expression.
 * - `(a, b)` (two or more items) is a list constructor; `VALUES (a, b), (c)` a bag of lists;
 *   `LIST(…)` / `SEXP(…)` are list and sexp constructors.
 * - `TRIM`: no FROM → [s]; `TRIM(spec FROM s)` → [sym(spec), s]; with characters →
 *   [sym(spec), chars, s], the spec defaulting to `both`. So a 2- or 3-argument trim always starts
 *   with the spec symbol.
 * - `OVERLAY(s PLACING r FROM a [FOR b])` → call("overlay", [s, r, a, b?]).
 * - `t.*` in a SELECT list is a ProjectItem "all"; elsewhere `.*` is an unpivot path step.
 * - `a[ 'x' ]` and `a.'x'` are case-sensitive field steps.
 * - `TIME/TIMESTAMP WITH TIME ZONE` in a type drops the zone clause (not in the TypeName contract);
 *   INTERVAL types have no TypeName: `CAST(x AS INTERVAL q)` becomes call("cast_interval", [x,
 *   sym(start), sym(end), leading precision or NULL, fractional precision or NULL]); elsewhere
 *   (IS INTERVAL) they are a parse error.
 * - SQL date/time literals have no AST node, so they become calls like the other keyword syntaxes:
 *   `DATE 'x'` → call("date_literal", ['x']); `TIME [(p)] [WITH[OUT] TIME ZONE] 'x'` →
 *   call("time_literal", ['x', sym("with_time_zone" | "without_time_zone"), p or NULL]), likewise
 *   "timestamp_literal"; `INTERVAL 'x' YEAR(p) TO MONTH` → call("interval_literal", ['x', sym(start),
 *   sym(end = start without TO), leading precision or NULL, fractional-seconds precision or NULL]).
 * - `GROUP ALL [AS g]` is a GroupBy with no keys; `TABLE t` is just `t`; `LATERAL` is accepted and
 *   ignored (every FROM item already sees the variables to its left); `FROM (a JOIN b), c` nests joins.
 */
import { LedgerError } from "../../errors.ts";
import { limits } from "../../limits.ts";
import type {
  Between, Case, Cast, CreateIndex, DmlOp, Expr, FromSource, GroupBy, In, Is, Like, Lit, OrderItem, Path,
  PathStep, ProjectItem, Projection, Query, Select, SetOp, Span, Statement, TableRef, TypeName, VarRef,
} from "../ast.ts";
import { MISSING, type PValue } from "../value.ts";
import { type Diagnostics, ParseFailure } from "./errors.ts";
import { RESERVED, type Token } from "./tokens.ts";

const MAX_DEPTH = limits.maxExpressionDepth;

// Precedence levels for the binary-operator loop.
const PREC_OR = 1;
const PREC_AND = 2;
const PREC_NOT = 3;
const PREC_PREDICATE = 4;
const PREC_CONCAT = 5;
const PREC_ADD = 6;
const PREC_MUL = 7;

const COMPARISONS = new Set(["=", "<>", "<", "<=", ">", ">="]);

/** Words that start a SELECT clause: error recovery inside a clause skips to one of these. */
const CLAUSE_WORDS = new Set([
  "FROM", "LET", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT",
  "SET", "REMOVE", "INSERT", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ON", "AT", "BY",
]);
const CLOSERS = new Set([")", "]", "}", ">>"]);
const OPENERS = new Set(["(", "[", "{", "<<"]);

/** Date/time parts accepted as the first argument of EXTRACT, DATE_ADD and DATE_DIFF. */
const DATETIME_PARTS = new Set([
  "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "TIMEZONE_HOUR", "TIMEZONE_MINUTE",
]);

const TYPE_NAMES: Record<string, TypeName["name"]> = {
  NULL: "null", MISSING: "missing", BOOL: "bool", BOOLEAN: "bool", SMALLINT: "smallint", INT2: "int2",
  INTEGER2: "int2", INT4: "int4", INTEGER4: "int4", INT8: "int8", INTEGER8: "int8", INT: "int",
  BIGINT: "bigint", INTEGER: "integer", FLOAT: "float", REAL: "real", DOUBLE: "double", DECIMAL: "decimal",
  DEC: "decimal", NUMERIC: "numeric", TIMESTAMP: "timestamp", DATE: "date", TIME: "time", SYMBOL: "symbol",
  STRING: "string", CHAR: "char", CHARACTER: "char", VARCHAR: "varchar", CLOB: "clob", BLOB: "blob",
  LIST: "list", SEXP: "sexp", STRUCT: "struct", TUPLE: "tuple", BAG: "bag", ANY: "any",
};

const PLACEHOLDER_SPAN: Span = { start: 0, end: 0 };

/**
 * Drops properties whose value is undefined, so an optional part that was not written is absent
 * from the node (not present-but-undefined); deepEqual-based tests and `in` checks then agree.
 */
function defined<T extends object>(node: T): T {
  for (const k in node) if (node[k] === undefined) delete node[k];
  return node;
}

function sym(text: string, span: Span): Lit {
  return { kind: "lit", value: { kind: "symbol", text }, span };
}

export class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[], private readonly diag: Diagnostics) {}

  // ---- token helpers -------------------------------------------------------------------------

  private peek(k = 0): Token {
    const i = Math.max(0, this.pos + k);
    return this.tokens[i < this.tokens.length ? i : this.tokens.length - 1];
  }
  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  /** End offset of the last consumed token (for node spans). */
  private get lastEnd(): number {
    return this.pos > 0 ? this.tokens[this.pos - 1].span.end : 0;
  }
  private spanFrom(start: number): Span {
    return { start, end: Math.max(start, this.lastEnd) };
  }
  /** A bare (unquoted, non-`@`) word, compared case-insensitively. */
  private isWord(upper: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "ident" && !t.lexical && t.upper === upper;
  }
  private isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "punct" && t.text === p;
  }
  private acceptWord(upper: string): boolean {
    if (!this.isWord(upper)) return false;
    this.pos++;
    return true;
  }
  private acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.pos++;
    return true;
  }
  private expectWord(upper: string): Token {
    if (!this.isWord(upper)) this.unexpected(upper);
    return this.next();
  }
  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) this.unexpected(`'${p}'`);
    return this.next();
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case "eof": return "end of input";
      case "ident": return RESERVED.has(t.upper) ? `keyword ${t.upper}` : `identifier ${t.lexical ? "@" : ""}${t.text}`;
      case "qident": return `identifier "${t.text}"`;
      case "string": return "string literal";
      case "number": return `number ${t.text}`;
      case "ion": return "Ion literal";
      case "param": return "parameter ?";
      case "punct": return `'${t.text}'`;
    }
  }

  /** Records an error at `span` (default: the current token) and unwinds to a recovery point. */
  private fail(message: string, span: Span = this.peek().span): never {
    this.diag.add(message, span);
    throw new ParseFailure();
  }
  private unexpected(expected: string): never {
    return this.fail(`expected ${expected} but found ${this.describe(this.peek())}`);
  }

  /** Counts one level of nesting; every recursive path goes through here. */
  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.tooDeep();
  }

  /**
   * A flat operator chain (`a OR b OR c …`) is parsed by a loop, but it builds a left-deep tree
   * that every later walk recurses down one level per operator: each link counts as a level.
   * (Chains of 10,000 terms overflowed the stack of the executor's AST walk under Deno.)
   */
  private link(links: number): void {
    if (this.depth + links > MAX_DEPTH) this.tooDeep();
  }

  private tooDeep(): never {
    const t = this.peek();
    throw new LedgerError("LIMIT_EXCEEDED", `expression nested deeper than ${MAX_DEPTH} levels (each operator of a chain such as a OR b OR c counts as one)`, {
      limit: "maxExpressionDepth", max: MAX_DEPTH, ...this.diag.position(t.span.start),
    });
  }

  /**
   * Skips tokens up to (not including) a synchronising token at the current nesting level: a
   * comma (if `comma`), a clause keyword (if `clauses`), a closing bracket or the end.
   */
  private skipTo(comma: boolean, clauses: boolean): void {
    let nest = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") return;
      if (t.kind === "punct") {
        if (OPENERS.has(t.text)) nest++;
        else if (CLOSERS.has(t.text)) {
          if (nest === 0) return;
          nest--;
        } else if (nest === 0 && (t.text === ";" || (comma && t.text === ","))) return;
      } else if (nest === 0 && clauses && t.kind === "ident" && !t.lexical && CLAUSE_WORDS.has(t.upper)) return;
      this.pos++;
    }
  }

  /** Runs `f`; on a parse failure skips to a synchronisation point and returns `fallback`. */
  private recover<T>(f: () => T, fallback: T, comma: boolean, clauses: boolean): T {
    const depth = this.depth;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      this.depth = depth;
      // skipTo stops at a token the caller consumes or ends on (a comma, a closer, a clause
      // keyword, the end), so every caller's loop still makes progress.
      this.skipTo(comma, clauses);
      return fallback;
    }
  }

  /**
   * A comma-separated list of `item`s. After a failed item, skips to the next comma (or a closer,
   * or a clause keyword when `clauses`) and goes on, so errors in several items are all reported.
   */
  private commaList<T>(item: (this: Parser) => T, fallback: T, clauses: boolean): T[] {
    const out: T[] = [];
    do {
      // recover() inlined, and `item` called as a method: every frame saved here is saved per
      // nesting level of brackets, which is what bounds the depth the runtimes' stacks allow.
      const depth = this.depth;
      try {
        out.push(item.call(this));
      } catch (e) {
        if (!(e instanceof ParseFailure)) throw e;
        this.depth = depth;
        this.skipTo(true, clauses);
        out.push(fallback);
      }
    } while (this.acceptPunct(","));
    return out;
  }

  /** Items between `open` and `close` (already positioned at `open`); empty allowed. */
  private bracketed<T>(open: string, close: string, item: (this: Parser) => T, fallback: T): T[] {
    this.expectPunct(open);
    if (this.acceptPunct(close)) return [];
    const items = this.commaList(item, fallback, false);
    if (!this.acceptPunct(close)) {
      // Report, then look for the closer inside this bracket, so the mistake stays local
      // (`[1 2]` is one error, not a cascade through the enclosing clause).
      this.diag.add(`expected '${close}' but found ${this.describe(this.peek())}`, this.peek().span);
      this.skipTo(false, false);
      if (!this.acceptPunct(close)) throw new ParseFailure();
    }
    return items;
  }

  private placeholder(): Lit {
    return { kind: "lit", value: MISSING, span: PLACEHOLDER_SPAN };
  }

  // ---- statements ----------------------------------------------------------------------------

  /** One statement, an optional `;`, then the end of input. */
  parseTop(): Statement | undefined {
    const stmt = this.recover(() => this.parseStatement(), undefined, false, false);
    this.acceptPunct(";");
    if (this.peek().kind !== "eof") {
      const t = this.peek();
      this.diag.add(
        this.isPunct(";", -1) ? "only one statement is allowed" : `unexpected ${this.describe(t)} after the end of the statement`,
        t.span,
      );
    }
    return stmt;
  }

  private parseStatement(): Statement {
    this.enter();
    try {
      const t = this.peek();
      const start = t.span.start;
      if (t.kind === "ident" && !t.lexical) {
        switch (t.upper) {
          case "EXPLAIN": {
            this.next();
            const statement = this.parseStatement();
            return { kind: "explain", statement, span: this.spanFrom(start) };
          }
          case "CREATE": return this.parseCreate();
          case "DROP": return this.parseDrop();
          case "UNDROP": {
            this.next();
            this.expectWord("TABLE");
            const tableId = this.parseId("a table id");
            return { kind: "undrop_table", tableId, span: this.spanFrom(start) };
          }
          case "INSERT": return this.parseInsert();
          case "UPDATE": return this.parseUpdate();
          case "DELETE": return this.parseDelete();
          case "FROM": return this.parseFromDml();
        }
      }
      let query = this.parseExpr();
      // A parenthesised query as the whole statement is just the query.
      if (query.kind === "subquery") query = query.query;
      return { kind: "query", query, span: this.spanFrom(start) };
    } finally {
      this.depth--;
    }
  }

  private parseCreate(): Statement {
    const start = this.next().span.start;
    if (this.acceptWord("TABLE")) {
      const table = this.parseTableRef();
      // QLDB's resource tags are IAM metadata with nothing to attach to in-process: the clause is
      // checked and accepted so QLDB scripts run, and the tags are not kept.
      this.parseWithOption("aws_tags", (v) =>
        v.kind === "struct" && v.fields.every(([, x]) => x.kind === "string" || x.kind === "symbol")
          ? undefined
          : "aws_tags must be an Ion struct of texts, e.g. `{'env': 'dev'}`");
      return { kind: "create_table", table, span: this.spanFrom(start) };
    }
    if (this.acceptWord("INDEX")) {
      this.expectWord("ON");
      const table = this.parseTableRef();
      const targets = this.bracketed("(", ")", () => this.parseDmlTarget(), this.placeholderTarget());
      if (targets.length === 0) this.fail("CREATE INDEX needs a field", this.peek(-1).span);
      const fields: CreateIndex["fields"] = targets.every((f) => f.kind === "var")
        ? (targets as VarRef[])
        : targets.map((f): Path => (f.kind === "path" ? f : { kind: "path", root: f, steps: [], span: f.span }));
      return { kind: "create_index", table, fields, span: this.spanFrom(start) };
    }
    return this.unexpected("TABLE or INDEX");
  }

  private parseDrop(): Statement {
    const start = this.next().span.start;
    if (this.acceptWord("TABLE")) {
      const table = this.parseTableRef();
      return { kind: "drop_table", table, span: this.spanFrom(start) };
    }
    if (this.acceptWord("INDEX")) {
      const indexId = this.parseId("an index id");
      this.expectWord("ON");
      const table = this.parseTableRef();
      // QLDB requires `WITH (purge = true)`; dropping an index here always purges it, so the
      // clause is optional and `true` is its only value.
      this.parseWithOption("purge", (v) => (v.kind === "bool" && v.value === true ? undefined : "purge can only be true"));
      return { kind: "drop_index", indexId, table, span: this.spanFrom(start) };
    }
    return this.unexpected("TABLE or INDEX");
  }

  private parseInsert(): Statement {
    const start = this.next().span.start;
    this.expectWord("INTO");
    const table = this.parseTableRef();
    if (this.acceptWord("VALUE")) {
      const value = this.parseExpr();
      return { kind: "insert", table, value, span: this.spanFrom(start) };
    }
    if (this.peek().kind === "eof" || this.isPunct(";")) this.unexpected("VALUE or an expression");
    const source = this.parseExpr();
    return { kind: "insert", table, source, span: this.spanFrom(start) };
  }

  /** `UPDATE t [AS a] [BY id] ops [WHERE …]` */
  private parseUpdate(): Statement {
    const start = this.next().span.start;
    const table = this.parseTableRef();
    const { as, by } = this.parseDmlAliases();
    const ops = this.parseDmlOps();
    const where = this.acceptWord("WHERE") ? this.parseClauseExpr() : undefined;
    return defined({ kind: "update", table, as, by, ops, where, span: this.spanFrom(start) });
  }

  /** `DELETE FROM t [AS a] [BY id] [WHERE …]` */
  private parseDelete(): Statement {
    const start = this.next().span.start;
    this.expectWord("FROM");
    const table = this.parseTableRef();
    const { as, by } = this.parseDmlAliases();
    const where = this.acceptWord("WHERE") ? this.parseClauseExpr() : undefined;
    return defined({ kind: "delete", table, as, by, where, span: this.spanFrom(start) });
  }

  /** QLDB's `FROM t [AS a] [BY id] [WHERE …] SET|REMOVE|INSERT INTO …` (WHERE may also follow the ops). */
  private parseFromDml(): Statement {
    const start = this.next().span.start;
    const table = this.parseTableRef();
    const { as, by } = this.parseDmlAliases();
    let where = this.acceptWord("WHERE") ? this.parseClauseExpr() : undefined;
    const ops = this.parseDmlOps();
    if (where === undefined && this.acceptWord("WHERE")) where = this.parseClauseExpr();
    return defined({ kind: "update", table, as, by, ops, where, span: this.spanFrom(start) });
  }

  private parseDmlAliases(): { as?: string; by?: string } {
    let as: string | undefined;
    if (this.acceptWord("AS") || this.isImplicitAlias()) as = this.parseAlias();
    const by = this.acceptWord("BY") ? this.parseAlias() : undefined;
    return { as, by };
  }

  /** One or more SET / REMOVE / INSERT INTO operations, in order. */
  private parseDmlOps(): DmlOp[] {
    const ops: DmlOp[] = [];
    for (;;) {
      const start = this.peek().span.start;
      if (this.acceptWord("SET")) {
        ops.push(...this.commaList(() => {
          const s = this.peek().span.start;
          const target = this.parseDmlTarget();
          this.expectPunct("=");
          const value = this.parseClauseExpr();
          return { kind: "set", target, value, span: this.spanFrom(s) } as DmlOp;
        }, { kind: "remove", target: this.placeholderTarget(), span: PLACEHOLDER_SPAN }, true));
      } else if (this.acceptWord("REMOVE")) {
        ops.push(...this.commaList(() => {
          const s = this.peek().span.start;
          const target = this.parseDmlTarget();
          return { kind: "remove", target, span: this.spanFrom(s) } as DmlOp;
        }, { kind: "remove", target: this.placeholderTarget(), span: PLACEHOLDER_SPAN }, true));
      } else if (this.acceptWord("INSERT")) {
        this.expectWord("INTO");
        const target = this.parseDmlTarget();
        this.expectWord("VALUE");
        const value = this.parseClauseExpr();
        const at = this.acceptWord("AT") ? this.parseClauseExpr() : undefined;
        ops.push(defined({ kind: "insert", target, value, at, span: this.spanFrom(start) }));
      } else break;
    }
    if (ops.length === 0) this.unexpected("SET, REMOVE or INSERT INTO");
    return ops;
  }

  /** A DML target: a name followed by path steps (`a.b[0]."C"`). */
  private parseDmlTarget(): Path | VarRef {
    const t = this.peek();
    if (!(t.kind === "qident" || (t.kind === "ident" && !RESERVED.has(t.upper)))) this.unexpected("a field path");
    this.next();
    const root: VarRef = { kind: "var", name: t.text, caseSensitive: t.kind === "qident", lexicalOnly: t.lexical, span: t.span };
    const e = this.parsePostfix(root);
    if (e.kind !== "path" && e.kind !== "var") this.fail("expected a field path", t.span);
    return e;
  }

  private placeholderTarget(): VarRef {
    return { kind: "var", name: "", caseSensitive: false, lexicalOnly: false, span: PLACEHOLDER_SPAN };
  }

  private parseTableRef(): TableRef {
    const t = this.peek();
    if (t.kind === "qident" && !t.lexical) {
      this.next();
      return { name: t.text, caseSensitive: true, span: t.span };
    }
    if (t.kind === "ident" && !t.lexical && !RESERVED.has(t.upper)) {
      this.next();
      return { name: t.text, caseSensitive: false, span: t.span };
    }
    return this.unexpected("a table name");
  }

  /**
   * QLDB's optional `WITH (name = literal)` after a DDL statement: `check` returns why the value
   * is refused, or undefined.
   */
  private parseWithOption(name: string, check: (v: PValue) => string | undefined): void {
    if (!this.acceptWord("WITH")) return;
    this.expectPunct("(");
    const key = this.peek();
    if (!(key.kind === "ident" && !key.lexical && key.text.toLowerCase() === name.toLowerCase())) this.unexpected(name);
    this.next();
    this.expectPunct("=");
    const value = this.parseExpr();
    if (value.kind !== "lit") this.fail(`${name} takes a literal value`, value.span);
    const why = check(value.value);
    if (why !== undefined) this.fail(why, value.span);
    this.expectPunct(")");
  }

  /** A system-assigned id: `"id"` (QLDB's spelling) or `'id'`. */
  private parseId(what: string): string {
    const t = this.peek();
    if ((t.kind === "qident" && !t.lexical) || t.kind === "string") {
      this.next();
      return t.text;
    }
    return this.unexpected(what);
  }

  // ---- names ---------------------------------------------------------------------------------

  /** True when the current token can be an alias written without AS. */
  private isImplicitAlias(): boolean {
    const t = this.peek();
    return (t.kind === "qident" && !t.lexical) || (t.kind === "ident" && !t.lexical && !RESERVED.has(t.upper));
  }

  /** An alias name as written (quoted or not). */
  private parseAlias(): string {
    if (!this.isImplicitAlias()) this.unexpected("a name");
    return this.next().text;
  }

  // ---- expressions ---------------------------------------------------------------------------

  /** A full expression, including set operators. */
  parseExpr(): Expr {
    this.enter();
    try {
      const start = this.peek().span.start;
      let left = this.parseIntersect();
      for (;;) {
        const outer = this.isWord("OUTER") && (this.isWord("UNION", 1) || this.isWord("EXCEPT", 1));
        const k = outer ? 1 : 0;
        const op = this.isWord("UNION", k) ? "union" : this.isWord("EXCEPT", k) ? "except" : null;
        if (!op) break;
        this.pos += k + 1;
        left = this.setOp(op, outer, left, () => this.parseIntersect(), start);
      }
      return left.kind === "setop" ? this.setOpTail(left, start) : left;
    } finally {
      this.depth--;
    }
  }

  private parseIntersect(): Expr {
    const start = this.peek().span.start;
    let left = this.parseBinary(PREC_OR);
    for (;;) {
      const outer = this.isWord("OUTER") && this.isWord("INTERSECT", 1);
      if (!outer && !this.isWord("INTERSECT")) break;
      this.pos += outer ? 2 : 1;
      left = this.setOp("intersect", outer, left, () => this.parseBinary(PREC_OR), start);
    }
    return left;
  }

  private setOp(op: SetOp["op"], outer: boolean, left: Expr, right: () => Expr, start: number): SetOp {
    const quantifier = this.acceptWord("ALL") ? "all" : (this.acceptWord("DISTINCT"), "distinct");
    const r = right();
    return { kind: "setop", op, quantifier, outer, left, right: r, span: this.spanFrom(start) };
  }

  /** ORDER BY / LIMIT / OFFSET after a set operation whose right side was not a bare SELECT. */
  private setOpTail(s: SetOp, start: number): SetOp {
    let orderBy: OrderItem[] | undefined;
    let limit: Expr | undefined;
    let offset: Expr | undefined;
    if (this.isWord("ORDER")) orderBy = this.parseOrderBy();
    if (this.acceptWord("LIMIT")) limit = this.parseClauseExpr();
    if (this.acceptWord("OFFSET")) offset = this.parseClauseExpr();
    if (!orderBy && !limit && !offset) return s;
    return defined({ ...s, orderBy, limit, offset, span: this.spanFrom(start) });
  }

  /** An expression without set operators: what SELECT clauses hold. */
  private parseClauseExpr(): Expr {
    this.enter();
    try {
      return this.parseBinary(PREC_OR);
    } finally {
      this.depth--;
    }
  }

  /** Precedence climbing over OR … * / %, including the predicate forms. */
  private parseBinary(minPrec: number): Expr {
    const start = this.peek().span.start;
    let left = minPrec <= PREC_NOT && this.isWord("NOT") ? this.parseNot() : this.parseUnary();
    for (let links = 1;; links++) {
      const t = this.peek();
      let prec = 0;
      if (t.kind === "punct") {
        const p = t.text;
        if (p === "*" || p === "/" || p === "%") prec = PREC_MUL;
        else if (p === "+" || p === "-") prec = PREC_ADD;
        else if (p === "||") prec = PREC_CONCAT;
        else if (COMPARISONS.has(p)) prec = PREC_PREDICATE;
      } else if (t.kind === "ident" && !t.lexical) {
        const w = t.upper;
        if (w === "OR") prec = PREC_OR;
        else if (w === "AND") prec = PREC_AND;
        else if (w === "IS" || w === "IN" || w === "LIKE" || w === "BETWEEN") prec = PREC_PREDICATE;
        else if (w === "NOT" && (this.isWord("IN", 1) || this.isWord("LIKE", 1) || this.isWord("BETWEEN", 1))) {
          prec = PREC_PREDICATE;
        }
      }
      if (prec === 0 || prec < minPrec) return left;
      this.link(links);
      if (prec === PREC_PREDICATE && t.kind === "ident") {
        left = this.parsePredicate(left, start);
        continue;
      }
      this.next();
      const right = this.parseBinary(prec + 1);
      const op = t.kind === "punct" ? t.text : t.upper.toLowerCase();
      left = { kind: "binary", op: op as "+", left, right, span: this.spanFrom(start) };
    }
  }

  /** `NOT x`, where x binds tighter than AND (so `NOT a = b` is `NOT (a = b)`). */
  private parseNot(): Expr {
    this.enter();
    try {
      const start = this.next().span.start;
      const operand = this.parseBinary(PREC_NOT);
      return { kind: "unary", op: "not", operand, span: this.spanFrom(start) };
    } finally {
      this.depth--;
    }
  }

  /** IS / [NOT] IN / [NOT] LIKE / [NOT] BETWEEN after `value`. */
  private parsePredicate(value: Expr, start: number): Expr {
    const not = this.acceptWord("NOT");
    const w = this.next().upper;
    switch (w) {
      case "IS": {
        const isNot = this.acceptWord("NOT");
        const type = this.parseTypeName(false);
        return { kind: "is", value, type, not: isNot, span: this.spanFrom(start) } satisfies Is;
      }
      case "IN": {
        const collection = this.parseInCollection();
        return { kind: "in", value, collection, not, span: this.spanFrom(start) } satisfies In;
      }
      case "LIKE": {
        const pattern = this.parseBinary(PREC_CONCAT);
        const escape = this.acceptWord("ESCAPE") ? this.parseBinary(PREC_CONCAT) : undefined;
        return defined({ kind: "like", value, pattern, escape, not, span: this.spanFrom(start) } satisfies Like);
      }
      default: {
        const low = this.parseBinary(PREC_CONCAT);
        this.expectWord("AND");
        const high = this.parseBinary(PREC_CONCAT);
        return { kind: "between", value, low, high, not, span: this.spanFrom(start) } satisfies Between;
      }
    }
  }

  /** The right side of IN: `(items)` is a list unless it holds exactly one query or VALUES. */
  private parseInCollection(): Expr {
    if (!this.isPunct("(")) return this.parseBinary(PREC_CONCAT);
    const start = this.peek().span.start;
    const single = this.isWord("VALUES", 1);
    const items = this.bracketed("(", ")", this.parseExpr, this.placeholder() as Expr);
    if (items.length === 0) this.fail("IN needs at least one value", this.peek(-1).span);
    const span = this.spanFrom(start);
    let e: Expr;
    if (items.length === 1 && (single || items[0].kind === "select" || items[0].kind === "setop")) e = items[0];
    else e = { kind: "list", items, span };
    return this.parsePostfix(e);
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === "punct" && (t.text === "-" || t.text === "+")) {
      this.enter();
      try {
        this.next();
        const operand = this.parseUnary();
        const span = this.spanFrom(t.span.start);
        if (t.text === "-" && operand.kind === "lit") {
          const v = operand.value;
          if (v.kind === "int" && !v.annotations) return { kind: "lit", value: { kind: "int", value: -v.value }, span };
          if (v.kind === "decimal" && !v.annotations) return { kind: "lit", value: { ...v, negative: !v.negative }, span };
        }
        return { kind: "unary", op: t.text === "-" ? "neg" : "pos", operand, span };
      } finally {
        this.depth--;
      }
    }
    return this.parsePostfix(this.parsePrimary());
  }

  /** Path steps after any primary: `.name`, `."Name"`, `.'name'`, `.*`, `[expr]`, `[*]`. */
  private parsePostfix(root: Expr): Expr {
    const steps: PathStep[] = [];
    for (;;) {
      const start = this.peek().span.start;
      if (this.acceptPunct(".")) {
        const t = this.peek();
        if (this.acceptPunct("*")) steps.push({ kind: "unpivot", span: this.spanFrom(start) });
        else if (t.kind === "ident" && !t.lexical) {
          this.next();
          steps.push({ kind: "field", name: t.text, caseSensitive: false, span: this.spanFrom(start) });
        } else if ((t.kind === "qident" && !t.lexical) || t.kind === "string") {
          this.next();
          steps.push({ kind: "field", name: t.text, caseSensitive: true, span: this.spanFrom(start) });
        } else this.unexpected("a field name or '*' after '.'");
      } else if (this.isPunct("[")) {
        this.next();
        if (this.isPunct("*") && this.isPunct("]", 1)) {
          this.pos += 2;
          steps.push({ kind: "wildcard", span: this.spanFrom(start) });
          continue;
        }
        const index = this.parseExpr();
        this.expectPunct("]");
        const span = this.spanFrom(start);
        if (index.kind === "lit" && index.value.kind === "string") {
          steps.push({ kind: "field", name: index.value.value, caseSensitive: true, span });
        } else steps.push({ kind: "index", index, span });
      } else break;
    }
    if (steps.length === 0) return root;
    return { kind: "path", root, steps, span: { start: root.span.start, end: this.lastEnd } };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    const start = t.span.start;
    switch (t.kind) {
      case "number":
      case "ion":
        this.next();
        return { kind: "lit", value: t.value!, span: t.span };
      case "string":
        this.next();
        return { kind: "lit", value: { kind: "string", value: t.text }, span: t.span };
      case "param":
        this.next();
        return { kind: "param", index: t.index!, span: t.span };
      case "qident":
        this.next();
        return { kind: "var", name: t.text, caseSensitive: true, lexicalOnly: t.lexical, span: t.span };
      case "punct":
        switch (t.text) {
          case "(": return this.parseParenthesised();
          case "[": {
            const items = this.bracketed("[", "]", this.parseExpr, this.placeholder() as Expr);
            return { kind: "list", items, span: this.spanFrom(start) };
          }
          case "<<": {
            const items = this.bracketed("<<", ">>", this.parseExpr, this.placeholder() as Expr);
            return { kind: "bag", items, span: this.spanFrom(start) };
          }
          case "{": {
            const fields = this.bracketed("{", "}", () => {
              const key = this.parseExpr();
              this.expectPunct(":");
              const value = this.parseExpr();
              return { key, value };
            }, { key: this.placeholder() as Expr, value: this.placeholder() as Expr });
            return { kind: "struct", fields, span: this.spanFrom(start) };
          }
        }
        return this.unexpected("an expression");
      case "eof":
        return this.unexpected("an expression");
      case "ident":
        break;
    }
    // A bare word.
    if (t.lexical) {
      this.next();
      return { kind: "var", name: t.text, caseSensitive: false, lexicalOnly: true, span: t.span };
    }
    const lit = (value: PValue): Lit => (this.next(), { kind: "lit", value, span: t.span });
    switch (t.upper) {
      case "NULL": return lit({ kind: "null", of: "null" });
      case "MISSING": return lit(MISSING);
      case "TRUE": return lit({ kind: "bool", value: true });
      case "FALSE": return lit({ kind: "bool", value: false });
      case "SELECT":
      case "PIVOT":
        return this.parseSelect();
      case "CASE": return this.parseCase();
      case "CAST": return this.parseCast();
      case "VALUES": return this.parseValues();
      case "EXISTS":
        if (this.isPunct("(", 1)) return this.parseCall();
        break;
      case "DATE":
      case "TIME":
      case "TIMESTAMP": {
        const lit = this.parseDatetimeLiteral();
        if (lit) return lit;
        break;
      }
      case "INTERVAL":
        if (this.peek(1).kind === "string") return this.parseIntervalLiteral();
        break;
      case "TABLE": {
        // SQL's `TABLE t` is the table itself.
        const n = this.peek(1);
        if ((n.kind === "ident" && !RESERVED.has(n.upper)) || n.kind === "qident") {
          this.next();
          return this.nested(() => this.parsePrimary());
        }
        break;
      }
    }
    if (this.isPunct("(", 1) && !RESERVED.has(t.upper)) return this.parseCall();
    if (RESERVED.has(t.upper)) return this.unexpected("an expression");
    this.next();
    return { kind: "var", name: t.text, caseSensitive: false, lexicalOnly: false, span: t.span };
  }

  /**
   * `DATE 'x'`, `TIME [(p)] [WITH[OUT] TIME ZONE] 'x'`, `TIMESTAMP …` at the keyword, or undefined
   * (without consuming) when the word is a plain name. The AST has no SQL date/time literal, so
   * these normalise into calls like the other keyword syntaxes: call("date_literal", ['x']),
   * call("time_literal" | "timestamp_literal", ['x', sym("with_time_zone" | "without_time_zone"),
   * precision or NULL]).
   */
  private parseDatetimeLiteral(): Expr | undefined {
    const t = this.peek();
    let k = 1;
    let precision: Token | undefined;
    if (t.upper !== "DATE" && this.isPunct("(", 1) && this.peek(2).kind === "number" && this.isPunct(")", 3)) {
      precision = this.peek(2);
      k = 4;
    }
    let zone = "without_time_zone";
    if (t.upper !== "DATE" && (this.isWord("WITH", k) || this.isWord("WITHOUT", k)) && this.isWord("TIME", k + 1) &&
      this.isWord("ZONE", k + 2)) {
      if (this.isWord("WITH", k)) zone = "with_time_zone";
      k += 3;
    }
    const text = this.peek(k);
    if (text.kind !== "string") return undefined;
    this.pos += k + 1;
    const name = t.upper.toLowerCase() + "_literal";
    const str: Lit = { kind: "lit", value: { kind: "string", value: text.text }, span: text.span };
    const args: Expr[] = t.upper === "DATE" ? [str] : [
      str,
      sym(zone, t.span),
      precision ? { kind: "lit", value: precision.value!, span: precision.span } : { kind: "lit", value: { kind: "null", of: "null" }, span: t.span },
    ];
    return { kind: "call", name, args, span: this.spanFrom(t.span.start) };
  }

  /**
   * `INTERVAL 'x' start[(p[, s])] [TO end[(s)]]` → call("interval_literal", ['x', sym(start),
   * sym(end) (= start without TO), leading precision or NULL, fractional-seconds precision or NULL]).
   */
  private parseIntervalLiteral(): Expr {
    const start = this.next().span.start;
    const text = this.next();
    const args: Expr[] = [
      { kind: "lit", value: { kind: "string", value: text.text }, span: text.span },
      ...this.parseIntervalQualifier(text.span),
    ];
    return { kind: "call", name: "interval_literal", args, span: this.spanFrom(start) };
  }

  /**
   * An interval qualifier `start[(p[, s])] [TO end[(s)]]` after INTERVAL 'x' (or after the INTERVAL
   * keyword of a CAST type, which it consumes): [sym(start), sym(end), p or NULL, s or NULL].
   */
  private parseIntervalQualifier(at?: Span): Expr[] {
    if (!at) at = this.next().span;
    const text = { span: at };
    const field = (): { name: Lit; params: number[] } => {
      const t = this.peek();
      if (!(t.kind === "ident" && !t.lexical && DATETIME_PARTS.has(t.upper) && !t.upper.startsWith("TIMEZONE"))) {
        return this.unexpected("YEAR, MONTH, DAY, HOUR, MINUTE or SECOND");
      }
      this.next();
      const params = this.isPunct("(") ? this.bracketed("(", ")", () => this.parseTypeParam(), 0) : [];
      return { name: sym(t.upper.toLowerCase(), t.span), params };
    };
    const first = field();
    const last = this.acceptWord("TO") ? field() : undefined;
    const NULL = (): Lit => ({ kind: "lit", value: { kind: "null", of: "null" }, span: text.span });
    const int = (n: number | undefined): Lit =>
      n === undefined ? NULL() : { kind: "lit", value: { kind: "int", value: BigInt(n) }, span: text.span };
    const firstIsSecond = (first.name.value as { text: string }).text === "second";
    const fraction = firstIsSecond ? first.params[1] : last ? last.params[0] : undefined;
    return [first.name, last ? last.name : first.name, int(first.params[0]), int(fraction)];
  }

  private nested<T>(f: () => T): T {
    this.enter();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** `( expr )` grouping, `( query )` subquery, `( a, b, … )` list. */
  private parseParenthesised(): Expr {
    const start = this.peek().span.start;
    const items = this.bracketed("(", ")", this.parseExpr, this.placeholder() as Expr);
    const span = this.spanFrom(start);
    // `()` is an empty list, consistent with `(a, b)` being a list.
    if (items.length !== 1) return { kind: "list", items, span };
    const e = items[0];
    if (e.kind === "select" || e.kind === "setop") return { kind: "subquery", query: e, span };
    return e;
  }

  /** `VALUES (a, b), (c)`: a bag of lists. */
  private parseValues(): Expr {
    const start = this.next().span.start;
    const rows = this.commaList((): Expr => {
      const s = this.peek().span.start;
      const items = this.bracketed("(", ")", this.parseExpr, this.placeholder() as Expr);
      return { kind: "list", items, span: this.spanFrom(s) };
    }, this.placeholder(), false);
    return { kind: "bag", items: rows, span: this.spanFrom(start) };
  }

  private parseCase(): Case {
    const start = this.next().span.start;
    const operand = this.isWord("WHEN") ? undefined : this.parseExpr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptWord("WHEN")) {
      const when = this.parseExpr();
      this.expectWord("THEN");
      const then = this.parseExpr();
      whens.push({ when, then });
    }
    if (whens.length === 0) this.unexpected("WHEN");
    const otherwise = this.acceptWord("ELSE") ? this.parseExpr() : undefined;
    this.expectWord("END");
    return defined({ kind: "case", operand, whens, else: otherwise, span: this.spanFrom(start) });
  }

  private parseCast(): Cast | Expr {
    const start = this.next().span.start;
    this.expectPunct("(");
    const value = this.parseExpr();
    this.expectWord("AS");
    if (this.isWord("INTERVAL")) {
      // CAST(x AS INTERVAL q) → call("cast_interval", [x, sym(start), sym(end), p or NULL, s or NULL]).
      const q = this.parseIntervalQualifier();
      this.expectPunct(")");
      return { kind: "call", name: "cast_interval", args: [value, ...q], span: this.spanFrom(start) };
    }
    const type = this.parseTypeName(true);
    this.expectPunct(")");
    return { kind: "cast", value, type, span: this.spanFrom(start) };
  }

  /** A type after IS or AS, with optional `(n[, m])` parameters. */
  private parseTypeName(inCast: boolean): TypeName {
    const t = this.peek();
    const start = t.span.start;
    const name = t.kind === "ident" && !t.lexical && Object.hasOwn(TYPE_NAMES, t.upper) ? TYPE_NAMES[t.upper] : undefined;
    if (!name && this.isWord("INTERVAL")) this.fail("INTERVAL types are not supported");
    if (!name) return this.unexpected(inCast ? "a type name" : "NULL, MISSING or a type name");
    this.next();
    if (t.upper === "DOUBLE") this.acceptWord("PRECISION");
    let resolved = name;
    if ((t.upper === "CHARACTER" || t.upper === "CHAR") && this.acceptWord("VARYING")) resolved = "varchar";
    let params: number[] | undefined;
    if (this.isPunct("(")) params = this.bracketed("(", ")", () => this.parseTypeParam(), 0);
    if ((resolved === "time" || resolved === "timestamp") && (this.acceptWord("WITH") || this.acceptWord("WITHOUT"))) {
      this.expectWord("TIME");
      this.expectWord("ZONE");
    }
    return params ? { name: resolved, params, span: this.spanFrom(start) } : { name: resolved, span: this.spanFrom(start) };
  }

  private parseTypeParam(): number {
    const p = this.peek();
    if (p.kind !== "number" || p.value?.kind !== "int") this.unexpected("an integer type parameter");
    this.next();
    const v = (p.value as { value: bigint }).value;
    if (v > 1_000_000_000n) this.fail("type parameter out of range", p.span);
    return Number(v);
  }

  /** A function call at `name (`, including the keyword-argument special forms. */
  private parseCall(): Expr {
    const nameTok = this.next();
    const start = nameTok.span.start;
    const name = nameTok.text.toLowerCase();
    this.expectPunct("(");
    const call = (args: Expr[], extra?: { setQuantifier?: "all" | "distinct"; star?: boolean }): Expr => {
      this.expectPunct(")");
      return { kind: "call", name, args, ...extra, span: this.spanFrom(start) };
    };
    switch (nameTok.upper) {
      case "EXTRACT": {
        const part = this.parseDatetimePart(true);
        this.expectWord("FROM");
        return call([part, this.parseExpr()]);
      }
      case "DATE_ADD":
      case "DATE_DIFF": {
        const args: Expr[] = [this.parseDatetimePart(false)];
        while (this.acceptPunct(",")) args.push(this.parseExpr());
        return call(args);
      }
      case "TRIM": return this.parseTrim(call);
      case "SUBSTRING": {
        const s = this.parseExpr();
        if (this.acceptWord("FROM")) {
          const args = [s, this.parseExpr()];
          if (this.acceptWord("FOR")) args.push(this.parseExpr());
          return call(args);
        }
        const args = [s];
        while (this.acceptPunct(",")) args.push(this.parseExpr());
        return call(args);
      }
      case "POSITION": {
        const needle = this.parseBinary(PREC_CONCAT);
        if (!this.acceptWord("IN")) this.expectPunct(",");
        return call([needle, this.parseExpr()]);
      }
      case "OVERLAY": {
        const s = this.parseExpr();
        this.expectWord("PLACING");
        const r = this.parseExpr();
        this.expectWord("FROM");
        const args = [s, r, this.parseExpr()];
        if (this.acceptWord("FOR")) args.push(this.parseExpr());
        return call(args);
      }
      case "LIST":
      case "SEXP": {
        const items = this.isPunct(")") ? [] : this.commaList(this.parseExpr, this.placeholder() as Expr, false);
        this.expectPunct(")");
        return { kind: nameTok.upper === "LIST" ? "list" : "sexp", items, span: this.spanFrom(start) };
      }
    }
    if (this.isPunct("*") && this.isPunct(")", 1)) {
      this.next();
      return call([], { star: true });
    }
    if (this.isPunct(")")) return call([]);
    let setQuantifier: "all" | "distinct" | undefined;
    if (this.acceptWord("DISTINCT")) setQuantifier = "distinct";
    else if (this.acceptWord("ALL")) setQuantifier = "all";
    const args = this.commaList(this.parseExpr, this.placeholder() as Expr, false);
    return call(args, setQuantifier ? { setQuantifier } : undefined);
  }

  /** `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` or `TRIM(s)`; see the header for the argument shapes. */
  private parseTrim(call: (args: Expr[]) => Expr): Expr {
    const t = this.peek();
    let spec: Lit | undefined;
    if (t.kind === "ident" && !t.lexical && (t.upper === "BOTH" || t.upper === "LEADING" || t.upper === "TRAILING")) {
      const after = this.peek(1);
      const isName = after.kind === "punct" && (after.text === ")" || after.text === "," || after.text === "." || after.text === "[");
      if (!isName) {
        this.next();
        spec = sym(t.upper.toLowerCase(), t.span);
      }
    }
    if (this.acceptWord("FROM")) return call([spec ?? sym("both", t.span), this.parseExpr()]);
    const first = this.parseExpr();
    if (this.acceptWord("FROM")) {
      const s = this.parseExpr();
      return call([spec ?? sym("both", t.span), first, s]);
    }
    if (spec) this.unexpected("FROM");
    return call([first]);
  }

  /** A date/time part keyword as a symbol literal; for DATE_ADD/DATE_DIFF any expression is also accepted. */
  private parseDatetimePart(required: boolean): Expr {
    const t = this.peek();
    if (t.kind === "ident" && !t.lexical && DATETIME_PARTS.has(t.upper)) {
      const after = this.peek(1);
      if (required || (after.kind === "punct" && after.text === ",")) {
        this.next();
        return sym(t.upper.toLowerCase(), t.span);
      }
    }
    if (required) return this.unexpected("a date/time part (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, TIMEZONE_HOUR, TIMEZONE_MINUTE)");
    return this.parseExpr();
  }

  // ---- queries -------------------------------------------------------------------------------

  /** SELECT … / PIVOT … with its clauses, at the SELECT or PIVOT keyword. */
  private parseSelect(): Query {
    const first = this.next();
    const start = first.span.start;
    let projection: Projection;
    let quantifier: "all" | "distinct" = "all";
    if (first.upper === "PIVOT") {
      projection = this.recover(() => {
        const value = this.parseClauseExpr();
        this.expectWord("AT");
        const key = this.parseClauseExpr();
        return { kind: "pivot", value, key } as Projection;
      }, { kind: "star" } as Projection, false, true);
    } else {
      if (this.acceptWord("DISTINCT")) quantifier = "distinct";
      else this.acceptWord("ALL");
      projection = this.recover(() => this.parseProjection(), { kind: "star" } as Projection, false, true);
    }
    const clause = <T>(word: string, f: () => T): T | undefined => {
      if (!this.isWord(word)) return undefined;
      return this.recover(() => (this.next(), f()), undefined, false, true);
    };
    const from = clause("FROM", () => this.parseFrom());
    const letBindings = clause("LET", () => this.commaList(() => {
      const expr = this.parseClauseExpr();
      this.expectWord("AS");
      return { expr, as: this.parseAlias() };
    }, { expr: this.placeholder() as Expr, as: "" }, true));
    const where = clause("WHERE", () => this.parseClauseExpr());
    const groupBy = this.isWord("GROUP") && !this.isWord("AS", 1) ? clause("GROUP", () => this.parseGroupBy()) : undefined;
    const having = clause("HAVING", () => this.parseClauseExpr());
    const orderBy = this.isWord("ORDER") ? this.recover(() => this.parseOrderBy(), undefined, false, true) : undefined;
    const limit = clause("LIMIT", () => this.parseClauseExpr());
    const offset = clause("OFFSET", () => this.parseClauseExpr());
    return defined<Select>({
      kind: "select", projection, quantifier, from, let: letBindings, where, groupBy, having, orderBy, limit, offset,
      span: this.spanFrom(start),
    });
  }

  private parseProjection(): Projection {
    if (this.isPunct("*")) {
      this.next();
      return { kind: "star" };
    }
    if (this.acceptWord("VALUE")) return { kind: "value", expr: this.parseClauseExpr() };
    const fallback: ProjectItem = { kind: "expr", expr: this.placeholder(), span: PLACEHOLDER_SPAN };
    const items = this.commaList((): ProjectItem => {
      const start = this.peek().span.start;
      const expr = this.parseClauseExpr();
      if (expr.kind === "path" && expr.steps[expr.steps.length - 1].kind === "unpivot") {
        const steps = expr.steps.slice(0, -1);
        const root: Expr = steps.length === 0 ? expr.root : { ...expr, steps, span: { start: expr.span.start, end: steps[steps.length - 1].span.end } };
        return { kind: "all", expr: root, span: this.spanFrom(start) };
      }
      let alias: string | undefined;
      if (this.acceptWord("AS") || this.isImplicitAlias()) alias = this.parseAlias();
      return alias === undefined
        ? { kind: "expr", expr, span: this.spanFrom(start) }
        : { kind: "expr", expr, alias, span: this.spanFrom(start) };
    }, fallback, true);
    return { kind: "items", items };
  }

  /** FROM items joined by commas (lateral cross joins) and JOIN clauses, left-associative. */
  private parseFrom(): FromSource {
    const start = this.peek().span.start;
    let left = this.parseFromItem();
    for (;;) {
      let type: "cross" | "inner" | "left" | "right" | "full";
      let conditional = true;
      if (this.acceptPunct(",")) {
        const right = this.recover(() => this.parseFromItem(), left, true, true);
        left = { kind: "join", type: "cross", left, right, span: this.spanFrom(start) };
        continue;
      }
      if (this.isWord("JOIN")) type = "inner";
      else if (this.acceptWord("INNER")) type = "inner";
      else if (this.acceptWord("CROSS")) {
        type = "cross";
        conditional = false;
      } else if (this.acceptWord("LEFT")) type = "left";
      else if (this.acceptWord("RIGHT")) type = "right";
      else if (this.acceptWord("FULL")) type = "full";
      else if (this.isWord("OUTER") && this.isWord("JOIN", 1)) {
        this.next();
        type = "full";
      } else break;
      if (type !== "inner" && type !== "cross") this.acceptWord("OUTER");
      // `LEFT CROSS JOIN` (PartiQL): a left join without a condition.
      if (type !== "cross" && this.acceptWord("CROSS")) conditional = false;
      this.expectWord("JOIN");
      const right = this.parseFromItem();
      const on = conditional && this.acceptWord("ON") ? this.parseClauseExpr() : undefined;
      left = defined({ kind: "join", type, left, right, on, span: this.spanFrom(start) });
    }
    return left;
  }

  private parseFromItem(): FromSource {
    // SQL's LATERAL changes nothing: every FROM item already sees the variables to its left.
    if (this.isWord("LATERAL") && !this.isPunct(",", 1) && !this.isPunct(".", 1) && !this.isPunct("[", 1) &&
      this.peek(1).kind !== "eof" && !(this.peek(1).kind === "ident" && RESERVED.has(this.peek(1).upper))) {
      this.next();
    }
    if (this.isPunct("(") && this.joinInParentheses()) {
      return this.nested(() => {
        this.next();
        const inner = this.parseFrom();
        this.expectPunct(")");
        return inner;
      });
    }
    const start = this.peek().span.start;
    if (this.acceptWord("UNPIVOT")) {
      const expr = this.parseClauseExpr();
      let as: string | undefined;
      if (this.acceptWord("AS") || this.isImplicitAlias()) as = this.parseAlias();
      const at = this.acceptWord("AT") ? this.parseAlias() : undefined;
      return defined({ kind: "unpivot", expr, as, at, span: this.spanFrom(start) });
    }
    let expr = this.parseClauseExpr();
    if (expr.kind === "subquery") expr = expr.query;
    let as: string | undefined;
    if (this.acceptWord("AS") || this.isImplicitAlias()) as = this.parseAlias();
    const at = this.acceptWord("AT") ? this.parseAlias() : undefined;
    const by = this.acceptWord("BY") ? this.parseAlias() : undefined;
    return defined({ kind: "scan", expr, as, at, by, span: this.spanFrom(start) });
  }

  /** At `(` in a FROM item: does a JOIN appear directly inside these parentheses? */
  private joinInParentheses(): boolean {
    let nest = 0;
    for (let i = this.pos; i < this.tokens.length; i++) {
      const t = this.tokens[i];
      if (t.kind === "punct") {
        if (OPENERS.has(t.text)) nest++;
        else if (CLOSERS.has(t.text) && --nest === 0) return false;
      } else if (nest === 1 && t.kind === "ident" && !t.lexical && t.upper === "JOIN") return true;
      else if (t.kind === "eof") return false;
    }
    return false;
  }

  private parseGroupBy(): GroupBy {
    // `GROUP ALL [AS g]` (PartiQL RFC 0007): one group of every row, i.e. no keys.
    if (this.acceptWord("ALL")) {
      const groupAs = this.acceptWord("AS") ? this.parseAlias() : undefined;
      return groupAs === undefined ? { keys: [], partial: false } : { keys: [], groupAs, partial: false };
    }
    const partial = this.acceptWord("PARTIAL");
    this.expectWord("BY");
    const keys = this.commaList(() => {
      const expr = this.parseClauseExpr();
      const alias = this.acceptWord("AS") ? this.parseAlias() : undefined;
      return alias === undefined ? { expr } : { expr, alias };
    }, { expr: this.placeholder() as Expr }, true);
    let groupAs: string | undefined;
    if (this.isWord("GROUP") && this.isWord("AS", 1)) {
      this.pos += 2;
      groupAs = this.parseAlias();
    }
    return defined({ keys, groupAs, partial });
  }

  private parseOrderBy(): OrderItem[] {
    this.expectWord("ORDER");
    this.expectWord("BY");
    return this.commaList((): OrderItem => {
      const expr = this.parseClauseExpr();
      const direction = this.acceptWord("DESC") ? "desc" : (this.acceptWord("ASC"), "asc");
      let nulls: "first" | "last" | undefined;
      if (this.acceptWord("NULLS")) {
        if (this.acceptWord("FIRST")) nulls = "first";
        else if (this.acceptWord("LAST")) nulls = "last";
        else this.unexpected("FIRST or LAST");
      }
      return nulls ? { expr, direction, nulls } : { expr, direction };
    }, { expr: this.placeholder(), direction: "asc" }, true);
  }
}
