// One real crash: a child process commits in a loop and reports each acknowledged commit; it is
// killed with SIGKILL; after reopen, every acknowledged transaction is present.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Ledger } from "../../engine/index.ts";
import { withTempDir } from "../helpers/tmp.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const writer = path.join(here, "sigkill-writer.ts");
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

test("SIGKILL while committing loses no acknowledged transaction", () =>
  withTempDir(async (dir) => {
    const cmd = isDeno ? path.join(root, "node_modules/.bin/deno") : process.execPath;
    const args = isDeno ? ["run", "--allow-all", writer, dir] : [writer, dir];
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    const acked: string[] = [];
    let buffer = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split("\n");
        buffer = lines.pop()!;
        for (const line of lines) if (line.startsWith("acked ")) acked.push(line.slice(6));
        if (acked.length >= 300 && !child.killed) child.kill("SIGKILL");
      });
      child.on("exit", () => resolve());
      child.on("error", reject);
      setTimeout(() => {
        if (!child.killed) child.kill("SIGKILL");
      }, 60_000);
    });
    assert.ok(acked.length >= 1, "the writer acknowledged commits before it was killed");
    const ledger = await Ledger.open(dir); // the dead writer's lock is stale and taken over
    const ids = new Set((await ledger.transaction((tx) => tx.scan("cars"))).map((r) => r.id));
    for (const id of acked) assert.ok(ids.has(id), `acknowledged ${id} survives SIGKILL`);
    assert.equal((await ledger.verify()).ok, true);
    await ledger.close();
  }));
