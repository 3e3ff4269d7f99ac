import { test } from "node:test";
import { check, fails } from "./helpers.ts";

test("string functions table", () => {
  const rows: [string, string][] = [
    ["UPPER('abc')", '"ABC"'], ["LOWER('ÀB')", '"àb"'], ["UPPER(NULL)", "null"], ["UPPER(MISSING)", "$missing::null"],
    ["CHAR_LENGTH('😁a')", "2"], ["CHARACTER_LENGTH('')", "0"], ["OCTET_LENGTH('français')", "9"], ["BIT_LENGTH('abc')", "24"],
    ["SUBSTRING('hello', 2)", '"ello"'], ["SUBSTRING('hello', 2, 3)", '"ell"'], ["SUBSTRING('hello', 0, 2)", '"h"'],
    ["SUBSTRING('hello', -4, 1)", '""'], ["SUBSTRING('hello' FROM 4 FOR 99)", '"lo"'], ["SUBSTRING('😁😞😸', 2)", '"😞😸"'],
    ["TRIM('  x  ')", '"x"'], ["TRIM(LEADING FROM '  x  ')", '"x  "'], ["TRIM(TRAILING 'ab' FROM 'xabba')", '"x"'],
    ["TRIM(BOTH '12' FROM '1212foo2121')", '"foo"'],
    ["POSITION('cde' IN 'abcdefg')", "3"], ["POSITION('' IN 'abc')", "1"], ["POSITION('z' IN 'abc')", "0"],
    ["OVERLAY('hello' PLACING 'XX' FROM 2)", '"hXXlo"'], ["OVERLAY('hello' PLACING '' FROM 2 FOR 3)", '"ho"'],
    ["TEXT_REPLACE('abcabc', 'b', 'X')", '"aXcaXc"'], ["TEXT_REPLACE('ab', '', '-')", '"-a-b-"'],
  ];
  for (const [s, want] of rows) check(s, want);
  fails("UPPER(1)", "strict", "TYPE_ERROR");
  check("UPPER(1)", "$missing::null", {}, ["permissive"]);
  fails("SUBSTRING('abc', 1, -1)", "permissive", "EVALUATION_ERROR");
});

test("numeric and collection functions table", () => {
  const rows: [string, string][] = [
    ["ABS(-1)", "1"], ["ABS(-1.0)", "1.0"], ["ABS(`-2e0`)", "2e0"], ["MOD(-17, 4)", "-1"], ["MOD(17, -4)", "1"],
    ["MOD(3, NULL)", "null"], ["MOD(NULL, MISSING)", "$missing::null"],
    ["CARDINALITY([1, 2])", "2"], ["CARDINALITY({'a': 1})", "1"], ["SIZE(<<>>)", "0"],
    ["EXISTS([])", "false"], ["EXISTS(<<MISSING>>)", "true"], ["EXISTS({'a': NULL})", "true"],
  ];
  for (const [s, want] of rows) check(s, want);
  fails("MOD('s', NULL)", "strict", "TYPE_ERROR");
  fails("CARDINALITY('foo')", "strict", "TYPE_ERROR");
});

test("datetime functions table", () => {
  const rows: [string, string][] = [
    ["EXTRACT(YEAR FROM `2000-01-02T03:04:05.67+08:09`)", "2000"], ["EXTRACT(SECOND FROM `2000-01-02T03:04:05.67Z`)", "5.67"],
    ["EXTRACT(TIMEZONE_HOUR FROM `2000-01-02T03:04:05-08:30`)", "-8"], ["EXTRACT(TIMEZONE_MINUTE FROM `2000-01-02T03:04:05-08:30`)", "-30"],
    ["DATE_ADD(day, 1, `2017T`)", "2017-01-02"], ["DATE_ADD(hour, -1, `2017T`)", "2016-12-31T23:00-00:00"],
    ["DATE_ADD(month, 1, `2017-01-31`)", "2017-02-28"], ["DATE_ADD(year, 1, `2016-02-29T10:00Z`)", "2017-02-28T10:00Z"],
    ["DATE_ADD(second, 61, `2017-01-02T03:04:05.006Z`)", "2017-01-02T03:05:06.006Z"],
    ["DATE_DIFF(day, `2016-01-01T`, `2017-01-01T`)", "366"], ["DATE_DIFF(year, `2016-02-29`, `2017-02-28`)", "0"],
    ["DATE_DIFF(month, `2017-01-31`, `2017-02-28`)", "0"], ["DATE_DIFF(hour, `2017-01-02T01:00+10:00`, `2017-01-02T01:00Z`)", "10"],
    ["TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y')", '"July 20, 1969"'],
    ["TO_STRING(`1969-07-20T20:18+08:00`, 'y-MM-dd''T''H:m:ssXXXXX')", '"1969-07-20T20:18:00+08:00"'],
    ["TO_STRING(`0986-01-02T20:01:55.004Z`, 'n')", '"4000000"'], ["TO_STRING(`0986T`, 'h a')", '"12 AM"'],
    ["TO_TIMESTAMP('2007-02-23T12:14:33.079-08:00')", "2007-02-23T12:14:33.079-08:00"],
    ["TO_TIMESTAMP('1 1 1 11 59 PM', 'y M d h m a')", "0001-01-01T23:59-00:00"],
    ["TO_TIMESTAMP('10', 'yy')", "2010T"], ["TO_TIMESTAMP('1 1 1 0 0 0 10', 'y M d H m s SS')", "0001-01-01T00:00:00.1-00:00"],
    ["TO_TIMESTAMP('2020-03-04 05:06 +01:30', 'y-MM-dd HH:mm XXX')", "2020-03-04T05:06+01:30"],
    ["UTCNOW()", "2024-05-06T07:08:09.123Z"], ["TXID()", '"tx1"'],
    ["DATE '2023-05-15' < TIMESTAMP '2023-05-15 10:30:00'", "true"],
  ];
  for (const [s, want] of rows) check(s, want);
  fails("TO_STRING(`2000T`, 'w')", "permissive", "EVALUATION_ERROR");
  fails("TO_TIMESTAMP('00010', 'yyyy')", "permissive", "EVALUATION_ERROR");
  fails("TO_TIMESTAMP('x')", "strict", "EVALUATION_ERROR");
  fails("DATE_ADD(day, 'x', `2017T`)", "strict", "TYPE_ERROR");
});
