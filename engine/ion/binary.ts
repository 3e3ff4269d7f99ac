/**
 * Ion 1.0 binary: our own writer and reader (binary-write.ts, binary-read.ts).
 *
 * Both are ours rather than ion-js's because they sit on the commit path (encode every block)
 * and the open path (decode the whole journal on replay). ion-js stays as the test oracle: the
 * tests check that ion-js reads our output to the same values and that we read ion-js's output.
 *
 * Measured with bench/ion-binary.ts (a 1,434-byte block of 5 revisions, median of 5, x64):
 *   encode  Bun   8.7 µs  vs ion-js dumpBinary 554 µs (63x);  Deno  9.6 µs vs 785 µs (82x)
 *   decode  Bun  10.2 µs  vs ion-js reader -> model 52 µs (5x); Deno 13.3 µs vs 87 µs (6.6x)
 */
export { encodeBinary } from "./binary-write.ts";
export { decodeBinary } from "./binary-read.ts";
