/**
 * `scripts/sim-scale.ts`'s workers: several real workers (startWorker: hub client, reporter,
 * results over the hub, the runner library) in one process, each with its own credential, data
 * directory and instance, on engines whose containers cost nothing (runner/test/playing-engine.ts).
 *   SIM_WORKERS_JSON: [{name, token, dataDir}], LEVHUB_HUB_URL, SIM_CAPACITY, SIM_TASKS, SIM_PARALLEL, SIM_SCHEMA
 */
import { PlayingEngine } from "../runner/test/playing-engine.ts";
import { startWorker, type WorkerHandle } from "../runner/worker/worker.ts";

const need = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

async function main() {
  const specs = JSON.parse(need("SIM_WORKERS_JSON")) as { name: string; token: string; dataDir: string }[];
  const handles: WorkerHandle[] = [];
  for (const s of specs) {
    const engine = new PlayingEngine({ tasks: Number(need("SIM_TASKS")), parallel: Number(need("SIM_PARALLEL")), schema: need("SIM_SCHEMA") });
    handles.push(
      await startWorker({ hubUrl: need("LEVHUB_HUB_URL"), token: s.token, name: s.name, dataDir: s.dataDir, capacity: Number(need("SIM_CAPACITY")), engine, enforceScope: false }),
    );
  }
  console.log(JSON.stringify({ ready: handles.length }));
  process.once("SIGTERM", () => void Promise.all(handles.map((h) => h.stop({ cancelRunning: true }))).then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error("sim workers:", err);
  process.exit(1);
});
