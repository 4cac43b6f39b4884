/**
 * bench:queue's worker for the software's own ceiling: the real worker (startWorker: hub client,
 * reporter, results over the hub, the runner library) on an engine whose containers cost nothing
 * (runner/test/playing-engine.ts). A process of its own so its memory is measured alone.
 *   LEVHUB_HUB_URL, LEVHUB_WORKER_TOKEN, LEVHUB_WORKER_NAME, LEVHUB_WORKER_DATA_DIR,
 *   LEVHUB_WORKER_CAPACITY, BENCH_TASKS (tools per run), BENCH_PARALLEL, BENCH_SCHEMA
 */
import { PlayingEngine } from "../runner/test/playing-engine.ts";
import { startWorker } from "../runner/worker/worker.ts";

const need = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

async function main() {
  const engine = new PlayingEngine({ tasks: Number(need("BENCH_TASKS")), parallel: Number(need("BENCH_PARALLEL")), schema: need("BENCH_SCHEMA") });
  const worker = await startWorker({
    hubUrl: need("LEVHUB_HUB_URL"),
    token: need("LEVHUB_WORKER_TOKEN"),
    name: need("LEVHUB_WORKER_NAME"),
    dataDir: need("LEVHUB_WORKER_DATA_DIR"),
    capacity: Number(need("LEVHUB_WORKER_CAPACITY")),
    engine,
  });
  console.log(JSON.stringify({ ready: worker.instance }));
  process.once("SIGTERM", () => void worker.stop({ cancelRunning: true }).then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error("bench worker:", err);
  process.exit(1);
});
