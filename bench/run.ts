/**
 * Quire's benchmark: `bun bench/run.ts [--quick] [--only=commit,hash,proof,replay,query]`.
 *
 * stdout carries exactly one JSON object per line per figure:
 *   {"name","value","unit","baseline","baselineValue","ratio"}   ratio = value / baselineValue
 * with every baseline measured in this same process, interleaved with the figure it anchors
 * (see stats.ts). Progress and warnings go to stderr. A group that fails is reported on stderr,
 * the others still run, and the exit code is 1.
 *
 * --quick is a smoke run (< 1 minute); the default full run takes a few minutes.
 */
import { fullConfig, quickConfig } from "./config.ts";
import { commitFigures } from "./ledger/commit.ts";
import { buildFixture, type Fixture } from "./ledger/fixture.ts";
import { hashFigures } from "./ledger/hash.ts";
import { proofFigures } from "./ledger/proof.ts";
import { queryFigures } from "./ledger/query.ts";
import { replayFigures } from "./ledger/replay.ts";
import { type Figure, log } from "./stats.ts";
import { removeAll, tempDir } from "./tmp.ts";

const args = process.argv.slice(2);
const GROUPS = ["commit", "hash", "proof", "replay", "query"];
const USAGE = `usage: bun bench/run.ts [--quick] [--only=${GROUPS.join(",")}]`;
if (args.includes("--help") || args.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
// An unknown argument (a typo, `--help` spelt otherwise) would otherwise start the full run.
const unknown = args.filter((a) => a !== "--quick" && !a.startsWith("--only="));
if (unknown.length > 0) {
  console.error(`unknown argument${unknown.length > 1 ? "s" : ""} ${unknown.join(" ")}\n${USAGE}`);
  process.exit(2);
}
const cfg = args.includes("--quick") ? quickConfig : fullConfig;
const onlyArg = args.find((a) => a.startsWith("--only="));
const only = onlyArg === undefined ? undefined : new Set(onlyArg.slice("--only=".length).split(","));
const unknownGroups = only === undefined ? [] : [...only].filter((g) => !GROUPS.includes(g));
if (unknownGroups.length > 0) {
  console.error(`unknown group ${unknownGroups.join(", ")}\n${USAGE}`);
  process.exit(2);
}
const wanted = (group: string) => only === undefined || only.has(group);

// stdout is reserved for figures: anything else that logs goes to stderr.
const writeOut = (line: string) => process.stdout.write(line + "\n");
console.log = console.error;
console.info = console.error;

const emit = (f: Figure) => writeOut(JSON.stringify(f));
let failed = false;

async function group(name: string, run: () => Promise<void>): Promise<void> {
  if (!wanted(name)) return;
  const t0 = performance.now();
  try {
    await run();
  } catch (e) {
    failed = true;
    log(`group ${name} FAILED: ${(e as Error)?.stack ?? e}`);
  }
  log(`group ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const t0 = performance.now();
log(`${cfg.quick ? "quick" : "full"} run, ${cfg.reps} repetitions per figure, runtime ${process.versions.bun ? `bun ${process.versions.bun}` : "non-bun"}`);
await group("commit", () => commitFigures(cfg, emit));
await group("hash", () => hashFigures(cfg, emit));

let fixture: Fixture | undefined;
const needFixture = async () => fixture ??= await buildFixture(tempDir("fixture"), cfg.proofBlocks, cfg.replayRevisions);
await group("proof", async () => proofFigures(cfg, await needFixture(), emit));
await group("replay", async () => replayFigures(cfg, await needFixture(), emit));
await group("query", () => queryFigures(cfg, emit));

removeAll();
log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exitCode = failed ? 1 : 0;
