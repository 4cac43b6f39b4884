import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import {
  DockerodeEngine,
  instanceAlive,
  LABEL,
  localPolicy,
  MongoResultStore,
  mongoUri,
  Runner,
  type RunPolicy,
  type RunResult,
  type RunSpec,
} from "../src/index.ts";

import type { NftScopeEnforcer } from "../src/scope/enforcer.ts";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const EXAMPLES = path.join(REPO, "examples");
export const FIXTURES = path.join(REPO, "runner/test/fixtures");

/**
 * A runner on the real Docker engine with a throwaway Mongo database, dropped at the end. Runs
 * get `policy` (default: `lev exec`'s local policy) unless a RunSpec carries its own.
 */
export async function createHarness(opts: { taskTimeoutMs?: number; policy?: RunPolicy; hubMachine?: boolean; scopeEnforcer?: NftScopeEnforcer; warmContainers?: number } = {}) {
  const dbName = `levtest_${randomBytes(4).toString("hex")}`;
  const store = await MongoResultStore.connect(mongoUri(dbName));
  const engine = new DockerodeEngine();
  await engine.ping();
  const runner = new Runner({
    engine,
    store,
    taskTimeoutMs: opts.taskTimeoutMs,
    runtimeDir: process.env.LEV_RUNTIME_DIR,
    policy: opts.policy ?? localPolicy(),
    // a test's engine counts as the hub's machine only when the test says so
    hubMachine: opts.hubMachine ?? false,
    ...(opts.scopeEnforcer ? { scopeEnforcer: opts.scopeEnforcer } : {}),
    ...(opts.warmContainers ? { warmContainers: opts.warmContainers } : {}),
  });
  let job = 0;
  return {
    store,
    engine,
    runner,
    db: store.database,
    start(spec: Omit<RunSpec, "job" | "owner"> & { owner?: string }) {
      return runner.start({ owner: "tester", job: ++job, ...spec });
    },
    async run(packageDir: string, fn: string, args: Record<string, unknown> = {}, extra: Partial<RunSpec> = {}): Promise<RunResult> {
      return this.start({ packageDir, function: fn, args, ...extra }).result;
    },
    /** containers and networks labelled for one run (or for this runner when no run is given) */
    async leftovers(runId?: string) {
      // an ended run's bridge goes right after its end
      await runner.settled();
      const filter = runId ? [`${LABEL.run}=${runId}`] : [`${LABEL.instance}=${runner.instance}`];
      return engine.listManaged(filter);
    },
    async close() {
      await runner.shutdown();
      await store.database.dropDatabase();
      await store.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

export function logText(result: RunResult, task?: number): string {
  return result.logs
    .filter((l) => task === undefined || l.task === task)
    .map((l) => l.line)
    .join("\n");
}

/** Labelled containers and networks left on the engine, except those of other runners still alive (a hub running beside the tests). */
export async function allManaged(): Promise<string[]> {
  const docker = new Docker();
  const filters = JSON.stringify({ label: [`${LABEL.managed}=1`] });
  const [c, n] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  const orphan = (labels: Record<string, string> | undefined) => !instanceAlive(labels?.[LABEL.instance]) || labels?.[LABEL.instance] === undefined;
  return [
    ...c.filter((x) => orphan(x.Labels)).map((x) => `container ${x.Names[0]}`),
    ...n.filter((x) => orphan(x.Labels)).map((x) => `network ${x.Name}`),
  ];
}
