/**
 * hash.revision: revision hashes per second, i.e. dot(ionHash(metadata), ionHash(data)) for a car
 * document, the work every revision costs on commit and on verify.
 *
 * Baseline: the reference implementation, ion-hash-js (SHA-256 via its cryptoHasherProvider) over
 * the same values loaded into ion-js, combined with the engine's `dot`. Both must give the same
 * bytes; a mismatch is reported on stderr (it would mean one of them hashes something else).
 * Target: ≥ 100,000 revision hashes/s.
 */
import { load, makeBinaryWriter } from "ion-js";
import { cryptoHasherProvider, makeHashWriter } from "ion-hash-js";
import { fromJS, type IonStruct, toText } from "../../engine/index.ts";
import { metadataToIon, revisionHash } from "../../engine/ledger/block.ts";
import { timestampFromEpochMillis } from "../../engine/ledger/clock.ts";
import { dot, hashEquals } from "../../engine/ledger/dot.ts";
import type { RevisionMetadata } from "../../engine/ledger/types.ts";
import { car } from "../car.ts";
import type { BenchConfig } from "../config.ts";
import { type Figure, figure, interleave, log, rateForSync } from "../stats.ts";

const sha256Provider = cryptoHasherProvider("SHA-256");

type IonJsValue = NonNullable<ReturnType<typeof load>>;

function ionJsHash(v: IonJsValue): Uint8Array {
  const writer = makeHashWriter(makeBinaryWriter(), sha256Provider);
  v.writeTo(writer);
  return writer.digest();
}

export async function hashFigures(cfg: BenchConfig, emit: (f: Figure) => void): Promise<void> {
  log("hash.revision");
  const metadata: RevisionMetadata = {
    id: "6DBrCJZ4T37gGMFV9lQlwK",
    version: 0,
    txTime: timestampFromEpochMillis(Date.UTC(2025, 0, 15, 10, 30, 45, 291)),
    txId: "5MgGfjRdSOnEtgCDk0EpqT",
  };
  const data = fromJS(car(42)) as IonStruct;
  const jsMeta = load(toText(metadataToIon(metadata)))!;
  const jsData = load(toText(data))!;

  const ours = revisionHash(metadata, data);
  const reference = dot(ionJsHash(jsMeta), ionJsHash(jsData));
  if (!hashEquals(ours, reference)) log("WARNING: revisionHash and ion-hash-js disagree on the car revision");

  // The sink keeps the JIT from discarding hashes nobody reads.
  let sink = 0;
  const r = await interleave(cfg.reps, {
    quire: () => rateForSync(cfg.cpuMs, () => ((sink ^= revisionHash(metadata, data)[0]), 1)),
    ionHashJs: () => rateForSync(cfg.cpuMs, () => ((sink ^= dot(ionJsHash(jsMeta), ionJsHash(jsData))[0]), 1), 8),
  }, "hash.revision ");
  if (sink === -1) log("unreachable");
  emit(figure("hash.revision", r.quire.median, "hashes/s", "ion-hash-js", r.ionHashJs.median));
}
