import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ionEquals, parseText, toText, type IonValue } from "../../../../engine/ion/index.ts";
import { isLedgerError } from "../../../../engine/errors.ts";
import { respellForIonJs } from "../../../../engine/ion/text-respell.ts";

/** The values of `text`, as canonical text (type and precision included). */
function read(text: string): string[] {
  return parseText(text).map(toText);
}

function refused(text: string): boolean {
  try {
    parseText(text);
    return false;
  } catch (e) {
    if (isLedgerError(e, "ION_PARSE_ERROR")) return true;
    throw e;
  }
}

test("binary ints and underscores read as the same value spelt plainly", () => {
  // [Ion text, the same values without underscores or binary]
  const cases: [string, string][] = [
    ["0b11110000", "240"], ["-0b11110000", "-240"], ["0B1", "1"], ["0b0", "0"], ["-0b0", "0"],
    ["0b1111_0000", "240"], ["0b_100_1101_0010", "1234"], ["-0b_100_1101_0010", "-1234"],
    ["1_2_3_4", "1234"], ["12_34", "1234"], ["-1_234", "-1234"], ["100_000", "100000"],
    ["0x4_d2", "1234"], ["0x4_d_2", "1234"], ["-0xab_cd", "-43981"], ["0XF_F", "255"],
    ["1_000.000_5", "1000.0005"], ["-0.0_0", "-0.00"], ["1_0.", "10."], ["1_000d-2", "1000d-2"],
    ["1_0e3", "10e3"], ["1_0.2_5e-1", "10.25e-1"], ["0.1_1e1", "0.11e1"],
    ["0b" + "1".repeat(70), (2n ** 70n - 1n).toString()],
    ["[0b1, 1_0, {a: 0x1_0}, (x -1_0)]", "[1, 10, {a: 16}, (x -10)]"],
    ["a::1_0 b::c::0b10", "a::10 b::c::2"],
    ["{a_1:1_0,'b_2':0b1}", "{a_1:10,'b_2':1}"],
  ];
  for (const [text, plain] of cases) assert.deepEqual(read(text), read(plain), text);
});

test("misplaced underscores and bad binary digits are still refused", () => {
  const bad = [
    "1__0", "1_", "-1_", "0_1", "-0_1", "00_1", "1_.0", "1._0", "1.0_", "1e1_0", "1.5e_1", "1_e1", "1d1_0",
    "0b", "0b2", "0b1_", "0b1__0", "0b__1", "0x", "0xG", "0x1_", "0x__1", "0x1__2", "-_1", "1_0_",
    // The grammar has no underscore right after 0x (ion-tests spell one only after 0b).
    "0x_FF", "-0X_1", "1_0e1_0", "1_0.0_1d-1_0",
    "2007-0_1-01", "2007-01-01T1_0:00Z", "2007-01-01T10:00+01:1_0", "2007_01-01",
  ];
  for (const text of bad) assert.ok(refused(text), text);
});

test("text that is not a number keeps its underscores and binary-looking digits", () => {
  const cases: [string, string][] = [
    ['"1_0 0b1"', '"1_0 0b1"'],
    ["'1_0'", "'1_0'"],
    ["'''0b1_0'''", '"0b1_0"'],
    ["a_1", "a_1"],
    ["$ion_1_0x::1", "$ion_1_0x::1"],
    ["/* 0b1 1_0 */ 1 // 0b1\n2", "1 2"],
    ['{{ "0b1 }} 1_0" }} 1_0', '{{"0b1 }} 1_0"}} 10'],
    ["{{ '''a}}''' /* 0b1 */ '''1_0''' }}", '{{"a}}1_0"}}'],
    ["{{ MTA= }} 0b1", "{{MTA=}} 1"],
    ['"\\"0b1" 0b1', '"\\"0b1" 1'],
    ["2007-01-01T10:00Z", "2007-01-01T10:00Z"],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, text);
});

test("comments inside a clob are read as comments (ion-tests good/clobsWithComments.ion)", () => {
  const cases: [string, string][] = [
    [`{{"Kumo Says" /* hello */}}`, `{{"Kumo Says"}}`],
    [`{{/*hello*/ "Kumo!"}}`, `{{"Kumo!"}}`],
    [`{{\n  // hello\n  "Kumo"\n}}`, `{{"Kumo"}}`],
    [`{{'''A''' /* wild */ '''Kumo'''}}`, `{{"AKumo"}}`],
    [`{{/*wild*/ '''Kumo''' /*!*/}}`, `{{"Kumo"}}`],
    [`{{\n  // there was a dog\n  '''named''' // or called\n  /* really */\n  '''Kumo'''\n}}`, `{{"namedKumo"}}`],
    // A comment's text is not the clob's: quotes and braces in it change nothing.
    [`{{ /* it's "}" */ '''a''' }} 1_0`, `{{"a"}} 10`],
    // `//` in a blob is base64.
    [`{{//8=}}`, `{{//8=}}`],
    [`{{ //8= }} // c\n 1`, `{{//8=}} 1`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, text);
});

test("long strings separated by comments concatenate (ion-tests good/equivs/longStringsWithComments.ion)", () => {
  // ion-js read the block-comment cases as "foor" and "foo''bar".
  const cases: [string, string][] = [
    [`'''foo''' '''bar'''`, `"foobar"`],
    [`'''foo''' // c\n '''bar'''`, `"foobar"`],
    [`'''foo''' /* c */ '''bar'''`, `"foobar"`],
    [`'''foo'''/**/'''bar'''`, `"foobar"`],
    [`'''foo''' // c\n /* d\n */'''bar'''`, `"foobar"`],
    [`'''foo'''\n /* it's ''' */\n '''bar'''`, `"foobar"`],
    [`['''foo''' /* c */ '''bar''', '''x''' /* c */ '''y''']`, `["foobar", "xy"]`],
    [`{a: '''foo''' /* c */ '''bar'''}`, `{a: "foobar"}`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, text);
  assert.deepEqual(read(`'''foo''' /* c */ 1_0`), [`"foo"`, "10"]);
});

test("a line comment ends at a lone CR, as ion-js reads it, inside and outside lobs and long strings", () => {
  const cases: [string, string][] = [
    ["'''a'''//\r'''b'''", `"ab"`],
    ["'''a''' // c\r '''b''' 1\n", `"ab" 1`],
    ['{{//\r"a"\n}}', `{{"a"}}`],
    ["{{ '''a''' // c\r '''b''' }}", `{{"ab"}}`],
    ["//\r1_0", "10"],
    ["// c\r\n0b1", "1"],
    // Bracket depth: the `[` after the CR opens a list, so the quoted symbol is not top-level.
    ["//\r[\n'$ion_1_0']", `['$ion_1_0']`],
    ["[//\r]'$ion_1_0'\n", `[] '$ion_1_0'`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, JSON.stringify(text));
});

test("empty and touching long-string segments concatenate (ion-js read '''a''' '''''' '''b''' as \"a \")", () => {
  const cases: [string, string][] = [
    ["'''a''' '''''' '''b'''", `"ab"`],
    ["'''a''' /*c*/ '''''' /*d*/ '''b'''", `"ab"`],
    ["'''a''' ''''''", `"a"`],
    ["'''''' '''a'''", `"a"`],
    ["'''''' ''''''", `""`],
    ["''''''", `""`],
    ["{'''x''' '''''' '''y''': 1}", "{xy: 1}"],
    ["{{ '''a''' '''''' '''b''' }}", `{{"ab"}}`],
    ["['''a''' '''''' '''b''', '''''']", `["ab", ""]`],
    // Segments that touch: ion-js read the first only, the rest lost.
    ["'''x''''''y'''", `"xy"`],
    ["{{'''x''''''y'''}}", `{{"xy"}}`],
    ["'''x''''''''''''y''' 1", `"xy" 1`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, text);
});

test("a lob is a clob when its first token past whitespace and comments is a quote", () => {
  const cases: [string, string][] = [
    ['{{/*}}*/"a"}}', `{{"a"}}`],
    ['{{ // }}\n "a" }}', `{{"a"}}`],
    ['{{"a"/*}}*/}}', `{{"a"}}`],
    ["{{//8=}}", "{{//8=}}"],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, text);
  // A quote inside a comment does not make a blob a clob: ion-js judges the blob (it refuses
  // comments in one) exactly as it judges one without the quote.
  for (const text of ["{{/*'*/aGk=}}", '{{ /* " */ aGk= }}', "{{/**/aGk=}}"]) assert.ok(refused(text), text);
});

test("a comment right after a number or ±inf ends it, as whitespace does", () => {
  // ion-js refused these ("invalid character after number"), and read (+inf/*c*/) as ('+' inf).
  const cases: [string, string][] = [
    ["10/*c*/", "10"], ["[10/*c*/]", "[10]"], ["[10//c\n]", "[10]"], ["(10/*c*/)", "(10)"],
    ["1.5/*c*/", "1.5"], ["1e0/*c*/", "1e0"], ["0xFF/*c*/", "255"], ["1_0/*c*/", "10"], ["10.//c\n", "10."],
    ["{a:1/*c*/}", "{a: 1}"], ["(1/*c*/ 2)", "(1 2)"], ["10//c", "10"], ["2007-01-01T00:00Z/*c*/", "2007-01-01T00:00Z"],
    ["(+inf/*c*/)", "(+inf)"], ["[-inf/*c*/]", "[-inf]"], ["{a:+inf/*c*/}", "{a: +inf}"], ["+inf//c", "+inf"],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, text);
});

test("a blob whose base64 starts with // stays a blob, whatever follows it", () => {
  // Read as a clob before, the `//` taken for a comment running past the blob's `}}`.
  const cases: [string, string][] = [
    ['{{//8=}} {b:{c:\n"s"}}', `{{//8=}} {b: {c: "s"}}`],
    ['{a:{{//8=}}, b:{c:{d:\n"s"}}}', `{a: {{//8=}}, b: {c: {d: "s"}}}`],
    ['{{//8=}}\n"a"', `{{//8=}} "a"`],
    ['{{//8=}}\r"a"', `{{//8=}} "a"`],
    ['({{//8=}}\n "a")', `({{//8=}} "a")`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, JSON.stringify(text));
  assert.ok(refused('{{//8=}}\n"a"}}'));
});

test("a long-string segment whose body starts with a quote keeps it", () => {
  // ion-js dropped such a segment after the first: '''a''' ''''y''' read as "a".
  const cases: [string, string][] = [
    ["'''a''' ''''y'''", `"a'y"`],
    ["'''a'''\n''''y'''", `"a'y"`],
    ["'''a''' '''''y'''", `"a''y"`],
    ["'''x'''''''y'''", `"x'y"`],
    ["''''y'''", `"'y"`],
    ["{{'''a''' ''''y'''}}", `{{"a'y"}}`],
    ["{''''k''' '''v''': 1}", `{'\\'kv': 1}`],
    ["[''' \\\r\n//'''//c\r''''\"''' /* ''' */ '''\\\r\n''', 1]", `[" //'\\"", 1]`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, JSON.stringify(text));
});

test("a run of empty long-string segments is one empty string", () => {
  const cases: [string, string][] = [
    ["'''''' '''''' ''''''", `""`],
    ["{''''''//c\n''''''\n''''''//c\n'''''':1}", "{'': 1}"],
    ["{{'''''' '''''' ''''''}}", `{{""}}`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, JSON.stringify(text));
});

test("clob newlines as ion-tests good/equivs/clobNewlines.ion has them", () => {
  // An escaped line break in a short clob string stands for nothing (ion-js read a 0xFF or 0xFC
  // byte); a raw CR or CR LF in a long one is LF (ion-js kept the CR).
  const cases: [string, string][] = [
    ['{{"a\\\nb"}}', `{{"ab"}}`], ['{{"\\\n"}}', `{{""}}`], ['{{"x\\\r"}}', `{{"x"}}`], ['{{"x\\\r\n"}}', `{{"x"}}`],
    ['{{"\\r\\\r\n\\n"}}', `{{"\\r\\n"}}`],
    ["{{'''\r\n'''}}", `{{"\\n"}}`], ["{{'''\r'''}}", `{{"\\n"}}`], ["{{'''\n\r'''}}", `{{"\\n\\n"}}`], ["{{'''\r\r\n'''}}", `{{"\\n\\n"}}`],
    ["{{'''\\n\r'''}}", `{{"\\n\\n"}}`], ["{{'''\\\r\n'''}}", `{{""}}`], ["{{'''\\\r'''}}", `{{""}}`], ["{{'''\\r\r\n'''}}", `{{"\\r\\n"}}`],
    ["{{'''a''' /*c*/ '''\r\n'''}}", `{{"a\\n"}}`],
  ];
  for (const [text, expected] of cases) assert.deepEqual(read(text), read(expected), JSON.stringify(text));
});

test("a block comment that is never closed is refused", () => {
  // ion-js accepted these, reading the values before the comment.
  for (const text of ["1 /*x", "[1] /*", "'''a''' /*x", "{{ /* }}", "(a /* b)", "{a: 1 /* }"]) assert.ok(refused(text), text);
  assert.deepEqual(read("/* a */ 1 /**/"), ["1"]);
});

test("a top-level symbol $ion_1_0 survives when quoted, as the spec says; bare it is a version marker", () => {
  const cases: [string, string][] = [
    [`'$ion_1_0'`, `'$ion_1_0'`],
    [`'$ion_1_\\x30'`, `'$ion_1_0'`],
    [`'\\u0024ion_1_0' 1`, `'$ion_1_0' 1`],
    [`a::'$ion_1_0'`, `a::'$ion_1_0'`],
    [`a1::$ion_1_0`, `a1::'$ion_1_0'`],
    [`'$ion_1_0'::x`, `'$ion_1_0'::x`],
    // A comment between a symbol and `::` still makes it an annotation.
    [`'$ion_1_0'/**/::a`, `'$ion_1_0'::a`],
    [`'$ion_1_0' // c\r ::a`, `'$ion_1_0'::a`],
    [`'$ion_1_0'/**/::'$ion_1_0'`, `'$ion_1_0'::'$ion_1_0'`],
    [`$ion_1_0 1`, `1`],
    [`['$ion_1_0', $ion_1_0]`, `['$ion_1_0', '$ion_1_0']`],
    [`{'$ion_1_0': '$ion_1_0'}`, `{'$ion_1_0': '$ion_1_0'}`],
    [`'$ion_1_1'`, `'$ion_1_1'`],
    [`'''$ion_1_0'''`, `"$ion_1_0"`],
  ];
  for (const [text, expected] of cases) assert.equal(read(text).join(" "), expected, text);
  // toText quotes every symbol that would read as a version marker bare, so its output reads back.
  for (const text of ["$ion_1_0", "$ion_1_1", "$ion_2_0"]) {
    const values: IonValue[] = [
      { kind: "symbol", text },
      { kind: "symbol", text, annotations: [text] },
      { kind: "list", items: [{ kind: "symbol", text }] },
    ];
    for (const v of values) {
      const back = parseText(toText(v));
      assert.equal(back.length, 1, toText(v));
      assert.ok(ionEquals(back[0], v), toText(v));
    }
  }
});

test("text without underscores, binary ints, lobs or escapes is passed through as it is", () => {
  for (const text of ["1", "[1, 2.5, 3e0]", "'0x1F'", "2007-01-01T", "{a: b}", "'$ion'"]) {
    assert.deepEqual(respellForIonJs(text), { text });
  }
});

/** `digits` with underscores inserted after some of them (never first or last, never two in a row). */
function withUnderscores(digits: string, after: readonly boolean[]): string {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    out += digits[i];
    if (i < digits.length - 1 && after[i % Math.max(after.length, 1)]) out += "_";
  }
  return out;
}

test("property: any int spelt in binary, hex or decimal, with underscores, reads as itself", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
      fc.constantFrom(2, 10, 16),
      fc.array(fc.boolean(), { maxLength: 8 }),
      fc.boolean(),
      (value, radix, after, upper) => {
        const magnitude = value < 0n ? -value : value;
        const prefix = radix === 2 ? (upper ? "0B" : "0b") : radix === 16 ? (upper ? "0X" : "0x") : "";
        const text = `${value < 0n ? "-" : ""}${prefix}${withUnderscores(magnitude.toString(radix), after)}`;
        const [v] = parseText(text);
        assert.ok(ionEquals(v, { kind: "int", value }), text);
      },
    ),
    { numRuns: 400 },
  );
});

test("property: decimals and floats with underscores read exactly as without them", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 30n }),
      fc.option(fc.stringMatching(/^[0-9]{1,25}$/)),
      fc.option(fc.tuple(fc.constantFrom("e", "E", "d", "D"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 300 }))),
      fc.boolean(),
      fc.array(fc.boolean(), { maxLength: 8 }),
      (whole, fraction, exponent, negative, after) => {
        if (fraction === null && exponent === null) fraction = "";
        const exp = exponent === null ? "" : `${exponent[0]}${exponent[1]}${exponent[2]}`;
        const sign = negative ? "-" : "";
        const plain = `${sign}${whole}${fraction === null ? "" : `.${fraction}`}${exp}`;
        const spaced = `${sign}${withUnderscores(String(whole), after)}${fraction === null ? "" : `.${withUnderscores(fraction, after)}`}${exp}`;
        // A float past binary64's range (10^30 e300) is refused either way (ionjs-reader.ts).
        const outcome = (text: string) => {
          try {
            return read(text);
          } catch (e) {
            return (e as { code?: string }).code ?? String(e);
          }
        };
        assert.deepEqual(outcome(spaced), outcome(plain), spaced);
      },
    ),
    { numRuns: 400 },
  );
});

test("huge number tokens are checked in linear time and never overflow a stack", () => {
  // Regular expressions over such tokens threw RangeError under Deno (at ~8.4M characters).
  const n = 10_000_000;
  assert.equal(read("0b" + "1".repeat(n)).length, 1);
  // Respelled only: ion-js itself takes seconds to read five million decimal digits.
  assert.equal(respellForIonJs("1" + "_1".repeat(n / 2)).text, "1".repeat(n / 2 + 1));
  for (const text of ["1" + "_1".repeat(n / 2) + "x", "1." + "1_".repeat(n / 2) + "1e", "0x" + "F_".repeat(n / 2)]) {
    assert.ok(refused(text), `${text.slice(0, 10)}…`);
  }
});

/** Comments as the grammar allows them between tokens. */
const comment = fc.constantFrom("/*c*/", "/* ' \" }} ] */", "//c\n", "//c\r", "//c\r\n", "/**/", "//\n");

test("property: comments anywhere between tokens read as whitespace", () => {
  // [spelling with comment slots marked "@", the same values spelt without comments]. Long
  // strings sit alone in a list: side by side in a sexp or at top level they would concatenate.
  const atoms = fc.constantFrom<[string, string]>(
    ["1_0", "10"], ["0b101", "5"], ["-7", "-7"], ["1.5", "1.5"], ["2e3", "2e3"], ["0xF_F", "255"], ["+inf", "+inf"],
    ["nan", "nan"], ["2007-01-01T", "2007-01-01T"], ['"s"', '"s"'], ["['''a'''@'''b''']", '["ab"]'],
    ["['''a'''@''''''@'''b''']", '["ab"]'], ["sym", "sym"], ["'$ion_1_0'", "'$ion_1_0'"], ['{{@"c"@}}', '{{"c"}}'],
    ["{{@'''x'''@'''y'''@}}", '{{"xy"}}'], ["{{ aGk= }}", "{{aGk=}}"], ["null.int", "null.int"], ["true", "true"],
  );
  const value = fc.letrec<{ v: [string, string] }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      atoms,
      fc.array(tie("v"), { maxLength: 4 }).map((xs): [string, string] => [
        `[@${xs.map((x) => x[0]).join("@,@")}@]`, `[${xs.map((x) => x[1]).join(", ")}]`,
      ]),
      fc.array(tie("v"), { maxLength: 4 }).map((xs): [string, string] => [
        `(@${xs.map((x) => x[0]).join("@ @")}@)`, `(${xs.map((x) => x[1]).join(" ")})`,
      ]),
      fc.array(tie("v"), { maxLength: 3 }).map((xs): [string, string] => [
        `{@${xs.map((x, i) => `f${i}@:@${x[0]}`).join("@,@")}@}`, `{${xs.map((x, i) => `f${i}: ${x[1]}`).join(", ")}}`,
      ]),
      tie("v").map(([a, b]): [string, string] => [`ann@::@${a}`, `ann::${b}`]),
    ),
  })).v;
  fc.assert(
    fc.property(
      fc.array(value, { minLength: 1, maxLength: 3 }),
      fc.array(fc.option(comment, { nil: "" }), { minLength: 64, maxLength: 64 }),
      (values, comments) => {
        let k = 0;
        const plain = values.map((v) => v[1]).join(" ");
        const commented = values.map((v) => v[0]).join("@ @").replaceAll("@", () => comments[k++ % comments.length]);
        assert.deepEqual(read(commented), read(plain), JSON.stringify(commented));
      },
    ),
    { numRuns: 300 },
  );
});
