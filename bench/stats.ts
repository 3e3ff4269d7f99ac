/**
 * Small statistics helpers for the benchmark.
 *
 * These 2-core VMs are noisy (neighbours, fsync latency spikes), so every figure is the median
 * of several repetitions, and a figure's own run and its baseline's run alternate (A B B A A B …)
 * so that slow drift — page cache filling, CPU throttling, a noisy neighbour — hits both sides
 * about equally and cancels in the ratio.
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One repetition of a measurement: returns a rate (units per second). */
export type Rep = () => number | Promise<number>;

/**
 * Runs `reps` repetitions of each named measurement, interleaved, alternating the order each
 * round (ABC, CBA, ABC, …) so neither side always runs first; returns each one's median and samples.
 */
export async function interleave<K extends string>(
  reps: number,
  runs: Record<K, Rep>,
  label = "",
): Promise<Record<K, { median: number; samples: number[] }>> {
  const names = Object.keys(runs) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  // One discarded round first: JIT tiers, page cache and file preallocation warm up outside the samples.
  for (const n of names) log(`${label}${n} warm-up: ${fmt(await runs[n]())}/s (discarded)`);
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) {
      const v = await runs[n]();
      samples[n].push(v);
      log(`${label}${n} rep ${r + 1}/${reps}: ${fmt(v)}/s`);
    }
  }
  return Object.fromEntries(names.map((n) => [n, { median: median(samples[n]), samples: samples[n] }])) as Record<
    K,
    { median: number; samples: number[] }
  >;
}

/**
 * Calls `op` until `ms` milliseconds have passed (and at least `minOps` times); returns ops/s.
 * `op` returns how many units it did (e.g. 100 documents), so the rate is in units.
 */
export async function rateFor(ms: number, op: () => number | Promise<number>, minOps = 1): Promise<number> {
  let units = 0;
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms || ops < minOps) {
    const done = await op();
    units += done;
    ops++;
    t = performance.now();
  }
  return units / ((t - t0) / 1000);
}

/** Synchronous twin of rateFor, for CPU-only loops (no await per op). */
export function rateForSync(ms: number, op: () => number, batch = 64): number {
  let units = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < batch; i++) units += op();
    t = performance.now();
  }
  return units / ((t - t0) / 1000);
}

export function log(msg: string): void {
  console.error(`[bench] ${msg}`);
}

export function fmt(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3);
}

/** One output line. `ratio` = value / baselineValue, both measured in the same process. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: string | null;
  readonly baselineValue: number | null;
  readonly ratio: number | null;
}

export function figure(name: string, value: number, unit: string, baseline: string | null, baselineValue: number | null): Figure {
  const round = (x: number) => Number(x.toPrecision(4));
  return {
    name,
    value: round(value),
    unit,
    baseline,
    baselineValue: baselineValue === null ? null : round(baselineValue),
    ratio: baselineValue === null || baselineValue === 0 ? null : Number((value / baselineValue).toFixed(3)),
  };
}
