import "server-only";
import path from "node:path";
import { MongoResultStore, Runner } from "../runner/src/index.ts";
import { dataDir, mongoUri } from "./config.ts";
import { getEngine } from "./engine.ts";
import { IndexingResultStore } from "./results/indexing-store.ts";

export interface HubRunner {
  runner: Runner;
  store: MongoResultStore;
}

const g = globalThis as typeof globalThis & { __levhubRunner?: Promise<HubRunner> };

async function create(): Promise<HubRunner> {
  const store = await MongoResultStore.connect(mongoUri());
  // which images a run may use travels with each run (RunSpec.policy), not with the runner
  const runner = new Runner({
    engine: getEngine(),
    // every stored document also goes into the PostgreSQL results index the browser queries
    store: new IndexingResultStore(store),
    workDir: path.join(dataDir(), "runs"),
    logger: (msg, fields) => {
      if (process.env.LEVHUB_RUNNER_LOG === "1") console.log(`[runner] ${msg}`, fields ?? "");
    },
  });
  return { runner, store };
}

/** The process's one Runner (results in MongoDB), created on first use. */
export function getHubRunner(): Promise<HubRunner> {
  if (!g.__levhubRunner) {
    g.__levhubRunner = create();
    g.__levhubRunner.catch(() => (g.__levhubRunner = undefined));
  }
  return g.__levhubRunner;
}

/** Cancels active runs and closes the results store (tests, shutdown). */
export async function closeHubRunner(): Promise<void> {
  const p = g.__levhubRunner;
  g.__levhubRunner = undefined;
  if (!p) return;
  const hub = await p.catch(() => null);
  if (!hub) return;
  await hub.runner.shutdown();
  await hub.store.close();
}
