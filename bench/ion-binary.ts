/**
 * Micro-benchmark: Ion binary encode/decode of a ~1 KB block (one transaction of 5 revisions),
 * ours vs ion-js, same process. Prints one JSON line per measurement (median of 5 runs).
 * Run: bun bench/ion-binary.ts  (or deno run -A bench/ion-binary.ts)
 */
import * as ionjs from "ion-js";
import { decodeBinary, encodeBinary, parseText } from "../engine/ion/index.ts";
import { readAllFrom } from "../engine/ion/ionjs-reader.ts";

const revision = (i: number) =>
  `{blockAddress:{strandId:"JdxjkR9bSYB5jMHWcI464T",sequenceNo:${1000 + i}},hash:{{vJFOcsNRM14gsIBSEnwPhMVgRAWf/4EUW5gPYbtmDv0=}},` +
  `data:{VIN:"1N4AL11D75C10915${i}",LicensePlateNumber:"LEWISR261LL",State:"WA",City:"Seattle",PendingPenaltyTicketAmount:90.25,` +
  `ValidFromDate:2017-08-21T,Owners:{PrimaryOwner:{PersonId:"294jJ3YUoH1IEEm8GSabOs"},SecondaryOwners:[]}},` +
  `metadata:{id:"3Qv67yjXEwB9SjmvkuG6Cp",version:${i},txTime:2019-06-05T20:53:35.291Z,txId:"CQQ8BQ8QVE2FhTXaE9ZzYl"}}`;
const block = parseText(`{transactionId:"CQQ8BQ8QVE2FhTXaE9ZzYl",revisions:[${[0, 1, 2, 3, 4].map(revision).join(",")}]}`);
const bytes = encodeBinary(block);
const dom = ionjs.load(ionjs.dumpText(ionjs.load(bytes)))!;

function perOp(fn: () => void): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 300) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return ((performance.now() - start) * 1000) / n; // µs per op
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
function measure(name: string, ours: () => void, theirs: () => void, baseline: string) {
  perOp(ours);
  perOp(theirs);
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < 5; i++) {
    a.push(perOp(ours));
    b.push(perOp(theirs));
  }
  const value = Math.round(median(a) * 100) / 100, baselineValue = Math.round(median(b) * 100) / 100;
  console.log(JSON.stringify({ name, value, unit: "µs/block", bytes: bytes.length, baseline, baselineValue, ratio: Math.round((baselineValue / value) * 10) / 10 }));
}
measure("ion.encode.block", () => void encodeBinary(block), () => void ionjs.dumpBinary(dom), "ion-js dumpBinary");
measure("ion.decode.block", () => void decodeBinary(bytes), () => void readAllFrom(() => ionjs.makeReader(bytes), "binary"), "ion-js reader -> model");
