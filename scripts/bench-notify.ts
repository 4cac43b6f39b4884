/**
 * `npm run bench:notify`: a burst of notifications through the real path to a local receiver on
 * 127.0.0.1 that answers every second request 503, on a throwaway hub (embedded PostgreSQL); the
 * burst itself is scripts/bench-findings/notify.ts (bench:findings' notify part runs the same).
 * Prints delivered / lost / dead / duplicates and the time; asserts nothing.
 * BENCH_NOTIFY_COUNT (1000) events.
 */
import { startTestHub } from "../lib/testing/hub.ts";
import { describeBurst, notifyBurst } from "./bench-findings/notify.ts";

const COUNT = Number(process.env.BENCH_NOTIFY_COUNT ?? 1000);

async function main() {
  const hub = await startTestHub();
  try {
    const { signUpTestUsers } = await import("../lib/testing/accounts.ts");
    const { alice } = await signUpTestUsers();
    for (const line of describeBurst(await notifyBurst(alice, { count: COUNT, slug: "bench" }))) console.log(line);
  } finally {
    await hub.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
