/**
 * What every part of a run shares: the runner's context (engine, store, directories) and the
 * run's own parameters. Its own module so the run, its tasks and their helpers import it without
 * importing each other.
 */
import type { ContainerEngine } from "../engine/engine.ts";
import type { PackageLocation } from "../package/package.ts";
import type { RunPolicy } from "../policy/policy.ts";
import type { RunRefs } from "../refs.ts";
import type { SecretMasker } from "../secrets/mask.ts";
import type { ResultStore } from "../store/store.ts";
import type { NftScopeEnforcer } from "../scope/enforcer.ts";
import type { WarmPool } from "./warm-pool.ts";
import type { PackageDependency } from "../types.ts";

export interface RunContext {
  engine: ContainerEngine;
  store: ResultStore;
  runtimeDir: string;
  workDir: string;
  workflowImage: string;
  instance: string;
  /** images known to exist on the engine */
  imageCache: Map<string, boolean>;
  /** how long a task's document write is retried while the store is down */
  storeRetryMs: number;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** the engine's machine runs the hub (RunnerOptions.hubMachine) */
  hubMachine: boolean;
  /** enforces scoped runs' rules on the engine's machine; absent: this runner cannot (RunnerOptions.scopeEnforcer) */
  scopeEnforcer?: NftScopeEnforcer;
  /** workflow containers started ahead of runs (RunnerOptions.warmContainers) */
  warmPool?: WarmPool;
  /** what ended runs still remove (their bridges): `Runner.settled` waits for it */
  afterRuns: Set<Promise<void>>;
}

export interface RunParams {
  runId: string;
  job: number;
  owner: string;
  function: string;
  args: Record<string, unknown>;
  pkg: PackageLocation;
  runTimeoutMs: number;
  taskTimeoutMs: number;
  policy: RunPolicy;
  /** the pinned dependency closure (RunSpec.dependencies) */
  dependencies: PackageDependency[];
  /** what the typed references in `args` stand for (RunSpec.refs), checked by the runner */
  refs: RunRefs;
  /** the run's secrets, masked in every log line, document and error before it leaves the runner */
  masker: SecretMasker;
  /** tool tasks wait before their entry until a debugger says continue (RunSpec.debugPause) */
  debugPause: boolean;
}
