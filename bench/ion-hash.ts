/**
 * Micro-benchmark: QLDB revision hashes per second, ours vs ion-hash-js, same process.
 * A revision hash = dot(ionHash(metadata), ionHash(data)); prints one JSON line (median of 5).
 * Run: bun bench/ion-hash.ts  (or deno run -A bench/ion-hash.ts)
 */
import * as ionjs from "ion-js";
import { cryptoHasherProvider, makeHashWriter } from "ion-hash-js";
import { ionHash, parseText, sha256, type IonValue } from "../engine/ion/index.ts";

const META = '{id:"3Qv67yjXEwB9SjmvkuG6Cp",version:0,txTime:2019-06-05T20:53:35.291Z,txId:"CQQ8BQ8QVE2FhTXaE9ZzYl"}';
const DATA = '{VIN:"1N4AL11D75C109151",LicensePlateNumber:"LEWISR261LL",State:"WA",City:"Seattle",PendingPenaltyTicketAmount:90.25,Year:2019}';

function dot(a: Uint8Array, b: Uint8Array): Uint8Array {
  let cmp = 0;
  for (let i = 31; i >= 0 && cmp === 0; i--) cmp = ((a[i] << 24) >> 24) - ((b[i] << 24) >> 24);
  const c = new Uint8Array(64);
  c.set(cmp < 0 ? a : b, 0);
  c.set(cmp < 0 ? b : a, 32);
  return sha256(c);
}

const meta: IonValue = parseText(META)[0];
const data: IonValue = parseText(DATA)[0];
const metaDom = ionjs.load(META)!;
const dataDom = ionjs.load(DATA)!;
const provider = cryptoHasherProvider("sha256");

function oracle(v: ionjs.dom.Value): Uint8Array {
  const w = makeHashWriter(ionjs.makeBinaryWriter(), provider);
  v.writeTo(w);
  return w.digest();
}

function rate(fn: () => void, seconds: number): number {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return n / seconds;
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];

const ours = () => void dot(ionHash(meta), ionHash(data));
const theirs = () => void dot(oracle(metaDom), oracle(dataDom));
if (Buffer.from(dot(ionHash(meta), ionHash(data))).toString("hex") !== Buffer.from(dot(oracle(metaDom), oracle(dataDom))).toString("hex")) {
  throw new Error("ours and ion-hash-js disagree");
}
rate(ours, 0.3);
rate(theirs, 0.3);
const a: number[] = [], b: number[] = [];
for (let i = 0; i < 5; i++) {
  a.push(rate(ours, 0.4));
  b.push(rate(theirs, 0.4));
}
const value = Math.round(median(a));
const baselineValue = Math.round(median(b));
console.log(JSON.stringify({
  name: "hash.revision", value, unit: "revisions/s", baseline: "ion-hash-js", baselineValue,
  ratio: Math.round((value / baselineValue) * 10) / 10,
}));
