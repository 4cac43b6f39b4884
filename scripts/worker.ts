/**
 * `npm run worker`: serves this machine's Docker engine (DOCKER_HOST) for a hub. Settings come
 * from the environment (runner/worker/config.ts lists them). The first Ctrl-C / SIGTERM stops
 * taking runs and lets the running ones finish; a second cancels them.
 */
import { workerConfigFromEnv, WorkerConfigError } from "../runner/worker/config.ts";
import { startWorker, type WorkerHandle } from "../runner/worker/worker.ts";

const say = (msg: string, fields?: Record<string, unknown>) =>
  console.log(`\x1b[1m[worker]\x1b[0m ${msg}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ""}`);

async function main() {
  let config;
  try {
    config = workerConfigFromEnv(process.env);
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      console.error(`npm run worker: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const registering = new AbortController();
  let worker: WorkerHandle | null = null;
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (!worker) {
      say("stopped before registering");
      registering.abort();
      process.exit(130);
    }
    if (signals === 1) {
      say("finishing the running runs, taking no new one (again to cancel them)");
      void worker.stop({ cancelRunning: false });
    } else {
      say("cancelling the running runs");
      void worker.stop({ cancelRunning: true });
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  say(`registering with ${config.hubUrl} as ${config.name} (capacity ${config.capacity}, data in ${config.dataDir})`);
  worker = await startWorker({ ...config, logger: say, signal: registering.signal });
  say(`serving as instance ${worker.instance}`);
  await worker.done;
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`npm run worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
