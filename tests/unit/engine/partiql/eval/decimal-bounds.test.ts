/**
 * Decimals with huge exponents are small values (one digit): comparing them must not build
 * 10^exponent, and arithmetic that would need more than limits.maxNumberDigits digits is
 * LIMIT_EXCEEDED at once (it used to block the process for ~20 s, then fail as a stack limit).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ledger } from "../../../../../engine/index.ts";
import { withTempDir } from "../../../../helpers/tmp.ts";
import { rejectsWith } from "../../../../helpers/assert.ts";

test("comparisons of decimals with far-apart exponents answer without aligning them", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    const cases: [string, boolean][] = [
      ["1e999999999 = 1", false],
      ["1e999999999 > 2", true],
      ["`1d-999999999` < 1", true],
      ["`1d-999999999` > 0", true],
      ["`-1d999999999` < -5", true],
      ["`-1d-999999999` > -1", true],
      ["`10d999999998` = `1d999999999`", true],
      ["`1.000` = 1", true],
    ];
    for (const [expr, expected] of cases) {
      assert.deepEqual(await ledger.execute(`SELECT VALUE ${expr} FROM <<0>>`), [expected], expr);
    }
    await ledger.execute("CREATE TABLE t");
    await ledger.execute("INSERT INTO t << {'k': 1, 'x': `1d999999999`}, {'k': 2, 'x': 5}, {'k': 3, 'x': `-1d999999999`} >>");
    assert.deepEqual(await ledger.execute("SELECT VALUE k FROM t WHERE x = 5"), [2]);
    assert.deepEqual(await ledger.execute("SELECT VALUE k FROM t ORDER BY x"), [3, 2, 1]);
    await ledger.close();
  }));

test("arithmetic that would need more than maxNumberDigits digits is LIMIT_EXCEEDED", () =>
  withTempDir(async (dir) => {
    const ledger = await Ledger.open(dir);
    for (const expr of ["1e999999999 + 1", "`1d-999999999` + 1", "1e999999 + 1", "1e999999 - 1"]) {
      await rejectsWith(ledger.execute(`SELECT VALUE ${expr} FROM <<0>>`), "LIMIT_EXCEEDED");
    }
    assert.deepEqual((await ledger.execute("SELECT VALUE 1e5000 + 1 > 0 FROM <<0>>")), [true]);
    await ledger.close();
  }));

test("a product or quotient whose exponent a decimal cannot hold is LIMIT_EXCEEDED, never a rounded exponent", () =>
  withTempDir(async (dir) => {
    // The exponents were added as JS numbers past 2^53: the product came back as 1d18014398509481980
    // (the true exponent ends in 981) and the quotient wrong by a factor of 10^42, with no error.
    const ledger = await Ledger.open(dir);
    const max = "9007199254740991";
    for (const expr of [`\`1d${max}\` * \`1d${max}\``, `\`1d${max}\` * \`1d9007199254740990\``, `\`1d-${max}\` / \`1d${max}\``, `\`-1d-${max}\` * \`2d-1\``, `\`1d5\` * \`1d${max}\``]) {
      await rejectsWith(ledger.execute(`SELECT VALUE ${expr} FROM <<0>>`), "LIMIT_EXCEEDED");
    }
    // Right at the edges, and back inside them, the results are exact.
    const { toText } = await import("../../../../../engine/index.ts");
    const cases: [string, string][] = [
      [`\`1d${max}\` * \`1d-${max}\``, "1."],
      [`\`3d${max}\` * 1`, `3d${max}`],
      [`\`1d-9007199254740990\` * \`1d-1\``, `1d-${max}`],
      [`\`1d${max}\` / \`1d1\``, "1d9007199254740990"],
    ];
    for (const [expr, expected] of cases) {
      assert.deepEqual((await ledger.executeIon(`SELECT VALUE ${expr} FROM <<0>>`)).map(toText), [expected], expr);
    }
    await ledger.close();
  }));
