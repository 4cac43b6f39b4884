/**
 * A warm workflow container (run/warm-pool.ts) as a pure function of the cold one: everything that
 * confines it (image, user, read-only root, no network, capabilities, limits, tmpfs, init, log cap)
 * is the cold container's, field for field; what differs per run (the package, its dependencies,
 * the channel, the call) comes through the slot's own directories once a run leases it. A run
 * whose cold container could not be made this way (other binds, other entrypoint) starts cold.
 */
import type { ContainerSpec } from "../engine/engine.ts";
import { createLabels } from "../engine/labels.ts";
import { DEPS_IN_CONTAINER } from "../package/dependencies.ts";

/** The environment a run sets in a warm container (levrt/_warm.py accepts only these). */
export const WARM_RUN_ENV = ["PYTHONPATH", "LEV_JOB", "LEV_PACKAGE", "LEV_CALL"] as const;
const RUN_ENV = new Set<string>(WARM_RUN_ENV);

export const WORKFLOW_ENTRYPOINT = ["python3", "-m", "levrt._workflow"];
export const WARM_ENTRYPOINT = ["python3", "-m", "levrt._warm"];
/** where a warm container finds its slot's FIFO and the run's call */
export const WARM_CTL = "/lev/ctl";
const RUNTIME = "/lev/rt";

/** A slot's host directories, each mounted read-only where the cold container has the run's. */
export interface WarmSlot {
  id: string;
  instance: string;
  ctlDir: string;
  pkgDir: string;
  depsDir: string;
  chanDir: string;
}

interface Bind {
  host: string;
  target: string;
}

function parseBind(b: string): Bind | null {
  const m = /^(\/[^:]*):(\/[^:]*):ro$/.exec(b);
  return m ? { host: m[1], target: m[2] } : null;
}

/**
 * The part of a cold workflow container a warm one must share to stand in for it (a JSON text,
 * equal for interchangeable runs), or null when this run cannot have a warm container: binds
 * other than the runtime, the package, the channel and dependencies, or another entrypoint.
 */
export function warmKey(cold: ContainerSpec): string | null {
  if (JSON.stringify(cold.entrypoint) !== JSON.stringify(WORKFLOW_ENTRYPOINT) || (cold.cmd?.length ?? 0) > 0) return null;
  if (cold.network !== "none" || cold.links?.length || cold.aliases?.length || cold.extraHosts?.length || cold.dns?.length) return null;
  let runtime: string | null = null;
  for (const raw of cold.binds) {
    const b = parseBind(raw);
    if (!b) return null;
    if (b.target === RUNTIME) runtime = b.host;
    else if (b.target === "/lev/pkg" || b.target === "/lev/chan") continue;
    else if (!(b.target.startsWith(`${DEPS_IN_CONTAINER}/`) && /^[^/]+$/.test(b.target.slice(DEPS_IN_CONTAINER.length + 1)))) return null;
  }
  if (runtime === null) return null;
  const env = cold.env.filter((e) => !RUN_ENV.has(e.slice(0, e.indexOf("=")))).sort();
  return JSON.stringify({
    image: cold.image,
    runtime,
    env,
    user: cold.user ?? null,
    workingDir: cold.workingDir ?? null,
    tmpfs: cold.tmpfs ?? null,
    readOnlyRoot: cold.readOnlyRoot,
    capAdd: [...cold.capAdd].sort(),
    limits: cold.limits,
    logMaxBytes: cold.logMaxBytes,
    init: cold.init,
  });
}

/** The warm container standing in for cold workflow containers like `cold` (warmKey not null). */
export function warmContainerConfig(cold: ContainerSpec, slot: WarmSlot): ContainerSpec {
  const runtime = cold.binds.map(parseBind).find((b) => b?.target === RUNTIME)!.host;
  return {
    name: `lev-warm-${slot.id}`,
    image: cold.image,
    labels: createLabels(slot.instance, `warm-${slot.id}`, "warm"),
    entrypoint: WARM_ENTRYPOINT,
    cmd: [],
    // the runtime only on the path until the run's own is known
    env: [...cold.env.filter((e) => !RUN_ENV.has(e.slice(0, e.indexOf("=")))), `PYTHONPATH=${RUNTIME}`],
    user: cold.user,
    workingDir: cold.workingDir,
    binds: [
      `${runtime}:${RUNTIME}:ro`,
      `${slot.pkgDir}:/lev/pkg:ro`,
      `${slot.chanDir}:/lev/chan:ro`,
      `${slot.depsDir}:${DEPS_IN_CONTAINER}:ro`,
      `${slot.ctlDir}:${WARM_CTL}:ro`,
    ],
    tmpfs: cold.tmpfs,
    readOnlyRoot: cold.readOnlyRoot,
    network: cold.network,
    capAdd: cold.capAdd,
    limits: cold.limits,
    logMaxBytes: cold.logMaxBytes,
    init: cold.init,
  };
}

/** What the run's warm container is told: the per-run part of the cold container's environment. */
export function warmCallEnv(cold: ContainerSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of cold.env) {
    const i = e.indexOf("=");
    if (RUN_ENV.has(e.slice(0, i))) env[e.slice(0, i)] = e.slice(i + 1);
  }
  return env;
}

/** Where each dependency a cold container binds goes in the slot: its name under the slot's deps directory, and its host directory. */
export function warmDependencyDirs(cold: ContainerSpec): { name: string; host: string }[] {
  return cold.binds
    .map(parseBind)
    .filter((b): b is Bind => b !== null && b.target.startsWith(`${DEPS_IN_CONTAINER}/`))
    .map((b) => ({ name: b.target.slice(DEPS_IN_CONTAINER.length + 1), host: b.host }));
}

/** The host directory of the package a cold container binds at /lev/pkg. */
export function warmPackageDir(cold: ContainerSpec): string {
  return cold.binds.map(parseBind).find((b) => b?.target === "/lev/pkg")!.host;
}
