// Child process of sigkill.test.ts: commits forever, printing each acknowledged document id.
import { Ledger } from "../../engine/index.ts";

const ledger = await Ledger.open(process.argv[2]);
await ledger.transaction((tx) => tx.createTable("cars"));
for (let i = 0;; i++) {
  const id = await ledger.transaction((tx) => tx.insert("cars", { VIN: String(i), Owner: "Maria Garcia" }));
  console.log(`acked ${id}`);
}
