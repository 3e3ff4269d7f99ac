/**
 * PartiQL conformance report for Quire's Tier-A cases (see suite.ts, compare.ts, harness.ts).
 *
 *   bun tests/conformance/run.ts [options]          (npm run conformance)
 *   deno run -A tests/conformance/run.ts [options]
 *
 * Options:
 *   --group <substring>  only groups whose name contains it (case-insensitive)
 *   --limit N            only the first N selected cases
 *   --verbose            print each failing case (name, statement, expected, actual or error)
 *   --json               print only one JSON object:
 *                        {passed, failed, total, groups: {name: {passed, total}}, crashes, timeouts, lenientPassed}
 *   --timeout S          seconds one case may run before it is abandoned (default 10)
 *   --in-process         run without the worker watchdog (no time limit, only timing)
 *   --stub               use the plumbing stub instead of the engine
 *
 * Cases run in a Worker; when one case runs longer than --timeout the worker is terminated, the
 * case counts as a TIMEOUT failure and the rest continue in a new worker. Cases slower than 2 s
 * are listed. The exit code is 0 whenever a report is produced (it is a measurement); 1 when the
 * suite or the engine cannot be loaded.
 */
import process from "node:process";
import { type CaseResult, type Engine, loadEngine, runCase, stubEngine } from "./harness.ts";
import { show } from "./compare.ts";
import { loadTierA, type LoadedSuite, type TierACase } from "./suite.ts";
import type { FromWorker, ToWorker } from "./worker.ts";

const SLOW_MS = 2000;

interface Options {
  group?: string;
  limit?: number;
  verbose: boolean;
  json: boolean;
  timeoutS: number;
  inProcess: boolean;
  stub: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { verbose: false, json: false, timeoutS: 10, inProcess: false, stub: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--group") o.group = val();
    else if (a === "--limit") o.limit = Number(val());
    else if (a === "--timeout") o.timeoutS = Number(val());
    else if (a === "--verbose" || a === "-v") o.verbose = true;
    else if (a === "--json") o.json = true;
    else if (a === "--in-process") o.inProcess = true;
    else if (a === "--stub") o.stub = true;
    else usage(`unknown option ${a}`);
  }
  if (o.limit !== undefined && !(o.limit >= 0)) usage("--limit needs a number");
  if (!(o.timeoutS > 0)) usage("--timeout needs a positive number");
  return o;
}

function usage(msg: string): never {
  console.error(`${msg}\nusage: run.ts [--group <substring>] [--limit N] [--verbose] [--json] [--timeout S] [--in-process] [--stub]`);
  process.exit(1);
}

// ---- running -------------------------------------------------------------------------------

async function runInProcess(engine: Engine, all: readonly TierACase[], indices: readonly number[]) {
  const results = new Map<number, CaseResult>();
  for (const i of indices) results.set(i, runCase(engine, all[i]));
  return results;
}

/** Runs the cases in workers, replacing a worker that spends more than timeoutS on one case. */
function runInWorkers(indices: readonly number[], o: Options): Promise<Map<number, CaseResult>> {
  const results = new Map<number, CaseResult>();
  const startupMs = 60_000;
  return new Promise((resolve, reject) => {
    const start = (pending: readonly number[]) => {
      if (pending.length === 0) return resolve(results);
      const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      let next = 0;
      let ready = false;
      let timer: ReturnType<typeof setTimeout>;
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          w.terminate();
          if (!ready) return reject(new Error(`the worker did not start within ${startupMs / 1000} s`));
          const index = pending[next];
          results.set(index, {
            status: "timeout",
            lenientPass: false,
            category: "timeout",
            detail: `no result within ${o.timeoutS} s`,
            ms: o.timeoutS * 1000,
          });
          start(pending.slice(next + 1));
        }, ms);
      };
      w.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === "ready") {
          ready = true;
          arm(o.timeoutS * 1000);
        } else if (m.type === "result") {
          results.set(m.index, m.result);
          next++;
          arm(o.timeoutS * 1000);
        } else if (m.type === "done") {
          clearTimeout(timer);
          w.terminate();
          resolve(results);
        } else {
          clearTimeout(timer);
          w.terminate();
          reject(new Error(m.message));
        }
      };
      w.onerror = (e: ErrorEvent) => {
        clearTimeout(timer);
        e.preventDefault?.();
        w.terminate();
        reject(new Error(`conformance worker failed: ${e.message}`));
      };
      arm(startupMs);
      w.postMessage({ indices: pending, stub: o.stub } satisfies ToWorker);
    };
    start(indices);
  });
}

// ---- reporting -----------------------------------------------------------------------------

interface Tally {
  passed: number;
  lenient: number;
  total: number;
}

function pct(n: number, d: number): string {
  return d === 0 ? "-" : ((100 * n) / d).toFixed(1) + "%";
}

/** Collapses a message to a category key: digits and quoted text elided, first 70 characters. */
function normalize(msg: string | undefined): string {
  if (!msg) return "";
  return msg.split("\n")[0].replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "…").replace(/\d+/g, "N").slice(0, 70);
}

function report(suite: LoadedSuite, indices: readonly number[], results: Map<number, CaseResult>, o: Options): void {
  const groups = new Map<string, Tally>();
  let passed = 0, lenient = 0;
  const crashes: [TierACase, CaseResult][] = [];
  const timeouts: [TierACase, CaseResult][] = [];
  const slow: [TierACase, CaseResult][] = [];
  const failures: [TierACase, CaseResult][] = [];
  for (const i of indices) {
    const c = suite.cases[i];
    const r = results.get(i)!;
    const g = groups.get(c.group) ?? { passed: 0, lenient: 0, total: 0 };
    groups.set(c.group, g);
    g.total++;
    if (r.status === "pass") {
      g.passed++;
      passed++;
    } else failures.push([c, r]);
    if (r.lenientPass) {
      g.lenient++;
      lenient++;
    }
    if (r.status === "crash") crashes.push([c, r]);
    if (r.status === "timeout") timeouts.push([c, r]);
    else if (r.ms > SLOW_MS) slow.push([c, r]);
  }
  const total = indices.length;
  if (o.json) {
    const out = {
      passed,
      failed: total - passed,
      total,
      groups: Object.fromEntries([...groups].map(([k, v]) => [k, { passed: v.passed, total: v.total }])),
      crashes: crashes.length,
      timeouts: timeouts.length,
      lenientPassed: lenient,
    };
    console.log(JSON.stringify(out));
    return;
  }

  const label = (c: TierACase) => `${c.root}:${c.file} ${c.namespace ? c.namespace + " / " : ""}${c.name} [${c.mode}]`;
  if (o.verbose) {
    for (const [c, r] of failures) {
      console.log(`FAIL ${label(c)}`);
      console.log(`  statement: ${r.statement ?? c.statements[0]}`);
      console.log(`  expected:  ${c.result === "EvaluationFail" ? "an error" : show(c.expected!)}`);
      console.log(`  ${r.category?.startsWith("wrong") || r.category?.startsWith("expected") ? "actual:   " : "got:      "} ${r.category}${r.detail ? ": " + r.detail.split("\n")[0].slice(0, 400) : ""}`);
    }
    console.log("");
  }

  const rows = [...groups].sort((a, b) => b[1].total - a[1].total);
  const w = Math.max(5, ...rows.map(([k]) => k.length));
  console.log(`${"group".padEnd(w)}  ${"passed".padStart(6)}  ${"total".padStart(6)}  ${"%".padStart(6)}  ${"lenient%".padStart(8)}`);
  console.log("-".repeat(w + 36));
  for (const [k, v] of rows) {
    console.log(`${k.padEnd(w)}  ${String(v.passed).padStart(6)}  ${String(v.total).padStart(6)}  ${pct(v.passed, v.total).padStart(6)}  ${pct(v.lenient, v.total).padStart(8)}`);
  }
  console.log("-".repeat(w + 36));
  console.log(`${"TOTAL".padEnd(w)}  ${String(passed).padStart(6)}  ${String(total).padStart(6)}  ${pct(passed, total).padStart(6)}  ${pct(lenient, total).padStart(8)}`);
  console.log(`\nengine: ${o.stub ? "stub" : "engine/partiql"}; equality: strict (lenient% = would pass under partiql-lang-kotlin's runner equality)`);

  const cats = new Map<string, number>();
  const msgs = new Map<string, number>();
  for (const [, r] of failures) {
    const cat = r.category ?? "?";
    cats.set(cat, (cats.get(cat) ?? 0) + 1);
    if (!cat.startsWith("wrong") && !cat.startsWith("expected")) {
      const k = `${cat}: ${normalize(r.detail)}`;
      msgs.set(k, (msgs.get(k) ?? 0) + 1);
    }
  }
  if (failures.length > 0) {
    console.log(`\nfailure categories:`);
    for (const [k, n] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${k}`);
    console.log(`\ntop error messages:`);
    for (const [k, n] of [...msgs].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(n).padStart(5)}  ${k}`);
  }
  if (crashes.length > 0) {
    console.log(`\nCRASHES (non-LedgerError exceptions; engine bugs): ${crashes.length}`);
    for (const [c, r] of crashes.slice(0, o.verbose ? crashes.length : 20)) {
      console.log(`  ${label(c)}\n    ${r.statement}\n    ${r.category}: ${(r.detail ?? "").split("\n")[0].slice(0, 200)}`);
    }
    if (!o.verbose && crashes.length > 20) console.log(`  … ${crashes.length - 20} more (--verbose lists all)`);
  } else console.log(`\nCRASHES: 0`);
  if (timeouts.length > 0) {
    console.log(`\nTIMEOUTS (> ${o.timeoutS} s, abandoned): ${timeouts.length}`);
    for (const [c] of timeouts) console.log(`  ${label(c)}\n    ${c.statements[0]}`);
  }
  if (slow.length > 0) {
    console.log(`\nSLOW (> ${SLOW_MS / 1000} s): ${slow.length}`);
    for (const [c, r] of slow) console.log(`  ${(r.ms / 1000).toFixed(1)} s  ${label(c)}`);
  }
}

// ---- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  let suite: LoadedSuite;
  try {
    suite = loadTierA();
  } catch (e) {
    console.error(`cannot load the conformance suite: ${(e as Error).message}`);
    process.exit(1);
  }
  if (suite.report.unmatched.length > 0 && !o.json) {
    console.log(`warning: ${suite.report.unmatched.length} tier-a.jsonl lines match no case:`);
    for (const u of suite.report.unmatched.slice(0, 10)) console.log(`  ${JSON.stringify(u.line)}: ${u.reason}`);
  }
  let indices = suite.cases.map((_, i) => i);
  if (o.group) {
    const g = o.group.toLowerCase();
    indices = indices.filter((i) => suite.cases[i].group.toLowerCase().includes(g));
  }
  if (o.limit !== undefined) indices = indices.slice(0, o.limit);

  let engine: Engine | Error = stubEngine;
  if (!o.stub) {
    engine = await loadEngine();
    if (engine instanceof Error) {
      console.error(`the engine is not available: ${engine.message}\n(run with --stub to check the harness alone)`);
      process.exit(1);
    }
  }
  const useWorkers = !o.inProcess && typeof Worker === "function";
  let results: Map<number, CaseResult>;
  try {
    results = useWorkers ? await runInWorkers(indices, o) : await runInProcess(engine, suite.cases, indices);
  } catch (e) {
    console.error(`conformance run failed: ${(e as Error).message}`);
    process.exit(1);
  }
  report(suite, indices, results, o);
  process.exit(0);
}

await main();
