/**
 * Parser shape tables: statement text → compact rendering of the AST (see show.ts). Each row is
 * a decision worth pinning: precedence, literal typing, keyword-syntax normalisation, clause
 * shapes, statement forms.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse, parseExpression } from "../../../../../engine/partiql/parser/index.ts";
import type { Select } from "../../../../../engine/partiql/ast.ts";
import { show, showStatement, strip } from "./show.ts";

function check(rows: readonly (readonly [string, string])[]): void {
  for (const [text, expected] of rows) assert.equal(showStatement(parse(text)), expected, text);
}

test("expressions: precedence, literals, paths, predicates, special forms", () => {
  check([
    ["1 + 2 * 3", "(+ 1 (* 2 3))"],
    ["(1 + 2) * 3", "(* (+ 1 2) 3)"],
    ["1 - 2 - 3", "(- (- 1 2) 3)"],
    ["8 / 4 % 3", "(% (/ 8 4) 3)"],
    ["a OR b AND c", "(or a (and b c))"],
    ["NOT a AND b", "(and (not a) b)"],
    ["NOT a = b", "(not (= a b))"],
    ["a AND NOT b OR c", "(or (and a (not b)) c)"],
    ["'a' || 'b' || 'c'", "(|| (|| \"a\" \"b\") \"c\")"],
    ["'a' || 1 + 2", "(|| \"a\" (+ 1 2))"],
    ["a = b AND c <> d", "(and (= a b) (<> c d))"],
    ["a != b", "(<> a b)"],
    ["1 < 2 = TRUE", "(= (< 1 2) true)"],
    ["-a.b", "(neg (path a .b))"],
    ["- 1", "-1"],
    ["-1.50", "-1.50"],
    ["+x", "(pos x)"],
    ["- - 1", "1"],
    ["-x * y", "(* (neg x) y)"],
    ["x IS NULL", "(is x null)"],
    ["x IS NOT MISSING", "(is-not x missing)"],
    ["x IS NOT NULL AND y IS INT", "(and (is-not x null) (is y int))"],
    ["x IS DECIMAL(5, 2)", "(is x decimal(5,2))"],
    ["NOT x IS NULL", "(not (is x null))"],
    ["a + 1 BETWEEN 1 AND 2 + 3", "(between (+ a 1) 1 (+ 2 3))"],
    ["x NOT BETWEEN 1 AND 2 AND y", "(and (not-between x 1 2) y)"],
    ["x LIKE 'a%'", "(like x \"a%\")"],
    ["x NOT LIKE 'a|%' ESCAPE '|'", "(not-like x \"a|%\" \"|\")"],
    ["x IN (1, 2, 3)", "(in x [1 2 3])"],
    ["x IN (1)", "(in x [1])"],
    ["x NOT IN [1, 2]", "(not-in x [1 2])"],
    ["x IN y", "(in x y)"],
    ["x IN (SELECT VALUE v FROM t AS v)", "(in x (select (value v) (from (scan t as v))))"],
    ["(a, b) IN (VALUES (1, 2), (3, 4))", "(in [a b] <<[1 2] [3 4]>>)"],
    ["x || y LIKE z", "(like (|| x y) z)"],
    ["a = b IS NULL", "(is (= a b) null)"],
    ["a.b.c", "(path a .b .c)"],
    ["a.\"B\"", "(path a .\"B\")"],
    ["a['x']", "(path a .\"x\")"],
    ["a[0]", "(path a [0])"],
    ["a[i + 1]", "(path a [(+ i 1)])"],
    ["a[*].b", "(path a [*] .b)"],
    ["a.*", "(path a .*)"],
    ["a.b[*].c.*", "(path a .b [*] .c .*)"],
    ["(SELECT VALUE x FROM t AS x)[0]", "(path (subquery (select (value x) (from (scan t as x)))) [0])"],
    ["{'a': 1}.a", "(path {\"a\": 1} .a)"],
    ["[1, 2][0]", "(path [1 2] [0])"],
    ["@x.y", "(path @x .y)"],
    ["\"Quoted\"\"Name\"", "\"Quoted\"Name\""],
    ["?", "?0"],
    ["f(?, ?)", "(f ?0 ?1)"],
    ["{'a': 1, 'b': [1, 2.0], 'c': <<>>}", "{\"a\": 1, \"b\": [1 2.0], \"c\": <<>>}"],
    ["[]", "[]"],
    ["<< 1, <<2>> >>", "<<1 <<2>>>>"],
    ["()", "[]"],
    ["NULL", "null"],
    ["MISSING", "MISSING"],
    ["TRUE AND FALSE", "(and true false)"],
    ["`{a: 1, b: \"x\"}`", "{a: 1, b: \"x\"}"],
    ["`'sym'`", "sym"],
    ["`2017-01-01T`", "2017-01-01"],
    ["`1e0`", "1e0"],
    ["`\"a`b\"`", "\"a`b\""],
    ["`'''x`''' '''y'''`", "\"x`y\""],
    ["`{{ \"abc`\" }}`", "{{\"abc`\"}}"],
    ["`/* ` */ 5`", "5"],
    ["1e5", "1d5"],
    ["1.5E-3", "0.0015"],
    ["1.", "1."],
    [".5", "0.5"],
    ["1.50", "1.50"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
    ["'it''s'", "\"it's\""],
    ["CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END", "(case x (when 1 \"one\") (when 2 \"two\") (else \"many\"))"],
    ["CASE WHEN x > 0 THEN 1 END", "(case (when (> x 0) 1))"],
    ["CAST(x AS INT)", "(cast x int)"],
    ["CAST(x AS VARCHAR(10))", "(cast x varchar(10))"],
    ["CAST(x AS DECIMAL(10, 2))", "(cast x decimal(10,2))"],
    ["CAST(x AS DOUBLE PRECISION)", "(cast x double)"],
    ["CAST(x AS TIMESTAMP WITH TIME ZONE)", "(cast x timestamp)"],
    ["count(*)", "(count *)"],
    ["COUNT(DISTINCT x)", "(count distinct x)"],
    ["SUM(ALL x)", "(sum all x)"],
    ["upper('a')", "(upper \"a\")"],
    ["EXISTS(SELECT * FROM t)", "(exists (select * (from (scan t))))"],
    ["EXTRACT(YEAR FROM t)", "(extract year t)"],
    ["EXTRACT(timezone_hour FROM t)", "(extract timezone_hour t)"],
    ["TRIM(s)", "(trim s)"],
    ["TRIM(BOTH FROM s)", "(trim both s)"],
    ["TRIM(LEADING 'x' FROM s)", "(trim leading \"x\" s)"],
    ["TRIM(TRAILING FROM s)", "(trim trailing s)"],
    ["TRIM('x' FROM s)", "(trim both \"x\" s)"],
    ["TRIM(FROM s)", "(trim both s)"],
    ["SUBSTRING(s FROM 2 FOR 3)", "(substring s 2 3)"],
    ["SUBSTRING(s FROM 2)", "(substring s 2)"],
    ["SUBSTRING(s, 2, 3)", "(substring s 2 3)"],
    ["POSITION('a' IN s)", "(position \"a\" s)"],
    ["OVERLAY(s PLACING 'x' FROM 2 FOR 3)", "(overlay s \"x\" 2 3)"],
    ["OVERLAY(s PLACING 'x' FROM 2)", "(overlay s \"x\" 2)"],
    ["DATE_ADD(day, 1, t)", "(date_add day 1 t)"],
    ["DATE_DIFF(month, a, b)", "(date_diff month a b)"],
    ["CHAR_LENGTH(s)", "(char_length s)"],
    ["CHARACTER_LENGTH(s)", "(character_length s)"],
    ["COALESCE(a, b, NULL)", "(coalesce a b null)"],
    ["NULLIF(a, b)", "(nullif a b)"],
    ["sexp(1, 2)", "(sexp 1 2)"],
    ["list(1, 2)", "[1 2]"],
    ["DATE '2020-01-01'", "(date_literal \"2020-01-01\")"],
    ["TIME '10:00:00'", "(time_literal \"10:00:00\" without_time_zone null)"],
    ["TIME (3) WITH TIME ZONE '10:00:00+01:00'", "(time_literal \"10:00:00+01:00\" with_time_zone 3)"],
    ["TIMESTAMP '2020-01-01 10:00:00'", "(timestamp_literal \"2020-01-01 10:00:00\" without_time_zone null)"],
    ["INTERVAL '1-6' YEAR TO MONTH", "(interval_literal \"1-6\" year month null null)"],
    ["INTERVAL '1.5' SECOND(2, 3)", "(interval_literal \"1.5\" second second 2 3)"],
    ["INTERVAL '10 10:30' DAY(3) TO MINUTE", "(interval_literal \"10 10:30\" day minute 3 null)"],
  ]);
});

test("queries: SELECT forms, FROM sources and joins, clauses, set operators", () => {
  check([
    ["SELECT * FROM t", "(select * (from (scan t)))"],
    ["SELECT a, b AS c, d e, \"F\" FROM t", "(select (items a (b as c) (d as e) \"F\") (from (scan t)))"],
    ["SELECT DISTINCT a FROM t", "(select distinct (items a) (from (scan t)))"],
    ["SELECT ALL a FROM t", "(select (items a) (from (scan t)))"],
    ["SELECT VALUE {'a': x.a} FROM t AS x", "(select (value {\"a\": (path x .a)}) (from (scan t as x)))"],
    ["SELECT t.*, x.y.* FROM t, x", "(select (items t.* (path x .y).*) (from (cross-join (scan t) (scan x))))"],
    ["SELECT a FROM t AS x AT i BY id", "(select (items a) (from (scan t as x at i by id)))"],
    ["SELECT a FROM t x", "(select (items a) (from (scan t as x)))"],
    ["SELECT a FROM t, u", "(select (items a) (from (cross-join (scan t) (scan u))))"],
    ["SELECT a FROM t INNER JOIN u ON t.id = u.id", "(select (items a) (from (inner-join (scan t) (scan u) on (= (path t .id) (path u .id)))))"],
    ["SELECT a FROM t JOIN u ON true", "(select (items a) (from (inner-join (scan t) (scan u) on true)))"],
    ["SELECT a FROM t LEFT JOIN u ON p", "(select (items a) (from (left-join (scan t) (scan u) on p)))"],
    ["SELECT a FROM t LEFT OUTER JOIN u ON p", "(select (items a) (from (left-join (scan t) (scan u) on p)))"],
    ["SELECT a FROM t RIGHT OUTER JOIN u ON p", "(select (items a) (from (right-join (scan t) (scan u) on p)))"],
    ["SELECT a FROM t FULL JOIN u ON p", "(select (items a) (from (full-join (scan t) (scan u) on p)))"],
    ["SELECT a FROM t CROSS JOIN u", "(select (items a) (from (cross-join (scan t) (scan u))))"],
    ["SELECT a FROM t LEFT CROSS JOIN @t.items AS i", "(select (items a) (from (left-join (scan t) (scan (path @t .items) as i))))"],
    ["SELECT a FROM (t CROSS JOIN u), v", "(select (items a) (from (cross-join (cross-join (scan t) (scan u)) (scan v))))"],
    ["SELECT a FROM t, LATERAL u AS x", "(select (items a) (from (cross-join (scan t) (scan u as x))))"],
    ["SELECT a FROM UNPIVOT t AS v AT k", "(select (items a) (from (unpivot t as v at k)))"],
    ["SELECT a FROM (SELECT * FROM t) AS s", "(select (items a) (from (scan (select * (from (scan t))) as s)))"],
    ["SELECT a FROM t WHERE a > 1 AND b IN (1, 2)", "(select (items a) (from (scan t)) (where (and (> a 1) (in b [1 2]))))"],
    ["SELECT a FROM t LET a + 1 AS b, 2 AS c WHERE b > 1", "(select (items a) (from (scan t)) (let (+ a 1) as b, 2 as c) (where (> b 1)))"],
    ["SELECT k, COUNT(*) FROM t GROUP BY t.k AS k", "(select (items k (count *)) (from (scan t)) (group (path t .k) as k))"],
    ["SELECT k FROM t GROUP BY a, b GROUP AS g HAVING COUNT(*) > 1", "(select (items k) (from (scan t)) (group a, b group-as g) (having (> (count *) 1)))"],
    ["SELECT k FROM t GROUP PARTIAL BY a", "(select (items k) (from (scan t)) (group partial a))"],
    ["SELECT VALUE g FROM t GROUP ALL AS g", "(select (value g) (from (scan t)) (group  group-as g))"],
    ["SELECT a FROM t ORDER BY a, b DESC, c ASC NULLS FIRST, d DESC NULLS LAST", "(select (items a) (from (scan t)) (order a asc, b desc, c asc nulls-first, d desc nulls-last))"],
    ["SELECT a FROM t LIMIT 10 OFFSET 5", "(select (items a) (from (scan t)) (limit 10) (offset 5))"],
    ["SELECT a FROM t ORDER BY a LIMIT ? OFFSET ?", "(select (items a) (from (scan t)) (order a asc) (limit ?0) (offset ?1))"],
    ["PIVOT v AT k FROM t AS v AT k", "(select (pivot v at k) (from (scan t as v at k)))"],
    ["SELECT a FROM t UNION SELECT b FROM u", "(union distinct (select (items a) (from (scan t))) (select (items b) (from (scan u))))"],
    ["SELECT a FROM t UNION ALL SELECT b FROM u", "(union all (select (items a) (from (scan t))) (select (items b) (from (scan u))))"],
    ["SELECT a FROM t OUTER UNION DISTINCT SELECT b FROM u", "(outer-union distinct (select (items a) (from (scan t))) (select (items b) (from (scan u))))"],
    ["SELECT a FROM t INTERSECT SELECT a FROM u EXCEPT SELECT a FROM v", "(except distinct (intersect distinct (select (items a) (from (scan t))) (select (items a) (from (scan u)))) (select (items a) (from (scan v))))"],
    ["a UNION b INTERSECT c", "(union distinct a (intersect distinct b c))"],
    ["(SELECT a FROM t) UNION (SELECT a FROM u) ORDER BY a LIMIT 1", "(union distinct (subquery (select (items a) (from (scan t)))) (subquery (select (items a) (from (scan u)))) (order a asc) (limit 1))"],
    ["SELECT a FROM t WHERE x = 1 UNION SELECT b FROM u", "(union distinct (select (items a) (from (scan t)) (where (= x 1))) (select (items b) (from (scan u))))"],
    ["SELECT a FROM t WHERE a IN (SELECT b FROM u UNION SELECT c FROM v)", "(select (items a) (from (scan t)) (where (in a (union distinct (select (items b) (from (scan u))) (select (items c) (from (scan v)))))))"],
    ["SELECT (SELECT VALUE 1 FROM u) AS s FROM t", "(select (items ((subquery (select (value 1) (from (scan u)))) as s)) (from (scan t)))"],
    ["(SELECT * FROM t)", "(select * (from (scan t)))"],
    ["SELECT * FROM t;", "(select * (from (scan t)))"],
  ]);
});

test("statements: DDL, DML (QLDB forms), EXPLAIN", () => {
  check([
    ["TABLE t", "t"],
    ["CREATE TABLE cars", "(create-table cars)"],
    ["CREATE TABLE \"Cars\"", "(create-table \"Cars\")"],
    ["DROP TABLE cars", "(drop-table cars)"],
    ["UNDROP TABLE \"5PLf9SXwndd63lPaSIa0O6\"", "(undrop-table 5PLf9SXwndd63lPaSIa0O6)"],
    ["CREATE INDEX ON cars (vin)", "(create-index cars vin)"],
    ["CREATE INDEX ON cars (owner.name)", "(create-index cars (path owner .name))"],
    ["DROP INDEX \"4tPW3fUhaVhDinRgKRLhGU\" ON cars", "(drop-index 4tPW3fUhaVhDinRgKRLhGU cars)"],
    // QLDB's WITH clauses: checked and accepted (tags are not kept; an index drop always purges).
    ["DROP INDEX \"4tPW3fUhaVhDinRgKRLhGU\" ON cars WITH (purge = true)", "(drop-index 4tPW3fUhaVhDinRgKRLhGU cars)"],
    ["CREATE TABLE Vehicle WITH (aws_tags = `{'key1': 'value1', 'key2': 'value2'}`)", "(create-table Vehicle)"],
    ["INSERT INTO cars VALUE {'vin': '123', 'year': 2019}", "(insert cars (value {\"vin\": \"123\", \"year\": 2019}))"],
    ["INSERT INTO cars << {'a': 1}, {'a': 2} >>", "(insert cars (source <<{\"a\": 1} {\"a\": 2}>>))"],
    ["INSERT INTO cars ?", "(insert cars (source ?0))"],
    ["INSERT INTO cars VALUE ?", "(insert cars (value ?0))"],
    ["INSERT INTO cars SELECT * FROM old", "(insert cars (source (select * (from (scan old)))))"],
    ["UPDATE cars SET year = 2020", "(update cars (set year 2020))"],
    ["UPDATE cars AS c BY id SET c.year = 2020, c.make = 'x' WHERE id = ?", "(update cars as c by id (set (path c .year) 2020) (set (path c .make) \"x\") (where (= id ?0)))"],
    ["UPDATE cars SET a = 1, b = 2 REMOVE c", "(update cars (set a 1) (set b 2) (remove c))"],
    ["UPDATE cars REMOVE owner.address WHERE vin = '1'", "(update cars (remove (path owner .address)) (where (= vin \"1\")))"],
    ["UPDATE cars INSERT INTO tags VALUE 'x' AT 0", "(update cars (insert tags \"x\" at 0))"],
    ["UPDATE cars AS c SET c.owners[0].name = 'x'", "(update cars as c (set (path c .owners [0] .name) \"x\"))"],
    ["DELETE FROM cars", "(delete cars)"],
    ["DELETE FROM cars AS c BY id WHERE id = '1'", "(delete cars as c by id (where (= id \"1\")))"],
    ["FROM cars AS c WHERE c.vin = '1' SET c.year = 2021", "(update cars as c (set (path c .year) 2021) (where (= (path c .vin) \"1\")))"],
    ["FROM cars WHERE vin = '1' INSERT INTO owners VALUE {'name': 'x'}", "(update cars (insert owners {\"name\": \"x\"}) (where (= vin \"1\")))"],
    ["FROM cars AS c REMOVE c.x WHERE c.vin = '1'", "(update cars as c (remove (path c .x)) (where (= (path c .vin) \"1\")))"],
    ["EXPLAIN SELECT * FROM t", "(explain (select * (from (scan t))))"],
    ["EXPLAIN DELETE FROM t", "(explain (delete t))"],
    ["select value x from t as x where x.a like 'b%' order by x.a desc", "(select (value x) (from (scan t as x)) (where (like (path x .a) \"b%\")) (order (path x .a) desc))"],
  ]);
});

test("keywords are case-insensitive; quoted names are case-sensitive and never keywords", () => {
  assert.equal(show(parseExpression("sElEcT VaLuE x FrOm t AS x")), "(select (value x) (from (scan t as x)))");
  assert.deepEqual(strip(parseExpression('"select"')), { kind: "var", name: "select", caseSensitive: true, lexicalOnly: false });
  assert.deepEqual(strip(parseExpression("Foo")), { kind: "var", name: "Foo", caseSensitive: false, lexicalOnly: false });
  assert.deepEqual(strip(parseExpression("@Foo")), { kind: "var", name: "Foo", caseSensitive: false, lexicalOnly: true });
  // any word is a field name after a dot, keywords included
  assert.equal(show(parseExpression("x.value.select")), "(path x .value .select)");
  // words that are keywords only in some positions stay usable as names
  assert.equal(show(parseExpression("SELECT count, day, nulls FROM t")), "(select (items count day nulls) (from (scan t)))");
});

test("implicit aliases are absent, not derived; written aliases are kept as written", () => {
  const s = parseExpression("SELECT a.b, c AS \"C\" FROM t, u AS \"U\"") as Select;
  assert.equal(s.kind, "select");
  const items = s.projection.kind === "items" ? s.projection.items : [];
  assert.equal(items[0].kind === "expr" && "alias" in items[0], false);
  assert.equal(items[1].kind === "expr" && items[1].alias, "C");
  const from = s.from!;
  assert.ok(from.kind === "join" && from.left.kind === "scan" && !("as" in from.left));
  assert.ok(from.kind === "join" && from.right.kind === "scan" && from.right.as === "U");
});

test("literal values are exact Ion values", () => {
  const lit = (t: string) => {
    const e = parseExpression(t);
    assert.equal(e.kind, "lit", t);
    return e.kind === "lit" ? e.value : undefined;
  };
  assert.deepEqual(lit("123456789012345678901234567890"), { kind: "int", value: 123456789012345678901234567890n });
  assert.deepEqual(lit("1.50"), { kind: "decimal", coefficient: 150n, exponent: -2, negative: false });
  assert.deepEqual(lit("1."), { kind: "decimal", coefficient: 1n, exponent: 0, negative: false });
  assert.deepEqual(lit(".5"), { kind: "decimal", coefficient: 5n, exponent: -1, negative: false });
  assert.deepEqual(lit("1e5"), { kind: "decimal", coefficient: 1n, exponent: 5, negative: false });
  assert.deepEqual(lit("1.5E-3"), { kind: "decimal", coefficient: 15n, exponent: -4, negative: false });
  assert.deepEqual(lit("-0.0"), { kind: "decimal", coefficient: 0n, exponent: -1, negative: true });
  assert.deepEqual(lit("-9223372036854775808"), { kind: "int", value: -9223372036854775808n });
  assert.deepEqual(lit("`1e0`"), { kind: "float", value: 1 });
  assert.deepEqual(lit("`a::b::2`"), { kind: "int", value: 2n, annotations: ["a", "b"] });
  assert.deepEqual(lit("'a''b'"), { kind: "string", value: "a'b" });
  assert.deepEqual(lit("NULL"), { kind: "null", of: "null" });
  assert.deepEqual(lit("MISSING"), { kind: "missing" });
  assert.deepEqual(lit("`null.int`"), { kind: "null", of: "int" });
});

test("parameters are numbered in order of appearance across the statement", () => {
  const s = parse("UPDATE t SET a = ?, b = ? WHERE c = ? AND d IN (?, ?)");
  assert.equal(showStatement(s), "(update t (set a ?0) (set b ?1) (where (and (= c ?2) (in d [?3 ?4]))))");
});

test("spans cover the source of each node", () => {
  const text = "SELECT x.a + 1 AS b FROM t AS x WHERE x.c = 'q'";
  const s = parseExpression(text) as Select;
  assert.deepEqual(s.span, { start: 0, end: text.length });
  const item = s.projection.kind === "items" ? s.projection.items[0] : undefined;
  assert.ok(item && item.kind === "expr");
  assert.equal(text.slice(item.expr.span.start, item.expr.span.end), "x.a + 1");
  assert.equal(text.slice(item.span.start, item.span.end), "x.a + 1 AS b");
  assert.equal(text.slice(s.where!.span.start, s.where!.span.end), "x.c = 'q'");
  const from = s.from!;
  assert.equal(text.slice(from.span.start, from.span.end), "t AS x");
});

test("comments and whitespace are ignored", () => {
  const text = "SELECT /* all \n of it */ *\n-- a comment\nFROM t -- trailing\n";
  assert.equal(showStatement(parse(text)), "(select * (from (scan t)))");
});

test("CREATE INDEX fields: all plain names give VarRef[], any path gives Path[]", () => {
  const a = parse("CREATE INDEX ON t (a)");
  assert.ok(a.kind === "create_index" && a.fields[0].kind === "var");
  const b = parse("CREATE INDEX ON t (a.b)");
  assert.ok(b.kind === "create_index" && b.fields[0].kind === "path");
});
