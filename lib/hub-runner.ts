import "server-only";
import path from "node:path";
import { MongoResultStore, Runner } from "../runner/src/index.ts";
import { dataDir, mongoUri } from "./config.ts";
import { db } from "./db.ts";
import { getEngine } from "./engine.ts";
import { pinImage, resolveImage } from "./packages/images.ts";

export interface HubRunner {
  runner: Runner;
  store: MongoResultStore;
}

const g = globalThis as typeof globalThis & { __levhubRunner?: Promise<HubRunner> };

async function create(): Promise<HubRunner> {
  const store = await MongoResultStore.connect(mongoUri());
  // images built for packages: the latest version of each package with a Dockerfile
  const built = await db().package.findMany({
    where: { latestVersion: { imageDigest: { not: null } } },
    select: { name: true, namespace: { select: { name: true } }, latestVersion: { select: { imageDigest: true } } },
  });
  for (const p of built) pinImage(`${p.namespace.name}.${p.name}`, p.latestVersion!.imageDigest!);
  const runner = new Runner({
    engine: getEngine(),
    store,
    resolveImage,
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
