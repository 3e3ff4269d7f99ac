/**
 * Worker side of run.ts's watchdog: loads the suite and the engine, runs the cases it is given
 * (indices into loadTierA().cases) and posts one message per case, so the main thread can
 * terminate a worker stuck in one case and carry on in a fresh one.
 */
import { type CaseResult, type Engine, loadEngine, runCase, stubEngine } from "./harness.ts";
import { loadTierA } from "./suite.ts";

export type ToWorker = { readonly indices: readonly number[]; readonly stub: boolean };
export type FromWorker =
  | { readonly type: "result"; readonly index: number; readonly result: CaseResult }
  | { readonly type: "ready" }
  | { readonly type: "done" }
  | { readonly type: "error"; readonly message: string };

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(m: FromWorker): void;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async (e: MessageEvent<ToWorker>) => {
  try {
    const { indices, stub } = e.data;
    const engine: Engine | Error = stub ? stubEngine : await loadEngine();
    if (engine instanceof Error) {
      scope.postMessage({ type: "error", message: engine.message });
      return;
    }
    const cases = loadTierA().cases;
    scope.postMessage({ type: "ready" });
    for (const index of indices) scope.postMessage({ type: "result", index, result: runCase(engine, cases[index]) });
    scope.postMessage({ type: "done" });
  } catch (err) {
    scope.postMessage({ type: "error", message: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
};
