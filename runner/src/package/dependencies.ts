/**
 * A run's pinned dependency closure as containers see it: each package version mounted read-only
 * at `/lev/deps/<ns>.<name>` and appended to the Python path. `lev/` and `lev/<ns>/` are implicit
 * namespace packages, so `from lev.joe.jsfuck import jsfuck` finds the mounted copy.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { PackageDependency } from "../types.ts";

export const DEPS_IN_CONTAINER = "/lev/deps";

/** `ns.name`, the key of a package everywhere in the runner (Cr.package, policy.packages), lower-case. */
export function packageKey(d: { namespace: string; name: string }): string {
  return `${d.namespace}.${d.name}`.toLowerCase();
}

export function dependencyTarget(d: PackageDependency): string {
  return `${DEPS_IN_CONTAINER}/${d.namespace}.${d.name}`;
}

/** `host:/lev/deps/ns.name:ro` for each dependency. */
export function dependencyBinds(deps: readonly PackageDependency[]): string[] {
  return deps.map((d) => `${d.dir}:${dependencyTarget(d)}:ro`);
}

/** The Python path: the runtime, the package, then every dependency. */
export function pythonPath(deps: readonly PackageDependency[]): string {
  return ["/lev/rt", "/lev/pkg", ...deps.map(dependencyTarget)].join(":");
}

/** Host directory of the package a Cr names (`null`: the run's own), or null when it is no dependency of the run. */
export function packageDir(pkg: string | null, ownDir: string, deps: readonly PackageDependency[]): string | null {
  if (pkg === null) return ownDir;
  const key = pkg.toLowerCase();
  return deps.find((d) => packageKey(d) === key)?.dir ?? null;
}

const NAME = /^[a-z_][a-z0-9_]*$/i;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,63}$/;

/**
 * Checks a closure before any container sees it: names that make safe paths, absolute host
 * directories, no package twice (nor the run's own package in its closure).
 */
export function checkDependencies(deps: readonly PackageDependency[], own: { namespace: string; name: string } | null): string | null {
  const seen = new Set<string>(own ? [packageKey(own)] : []);
  for (const d of deps) {
    if (!NAME.test(d.namespace) || !NAME.test(d.name)) return `dependency ${d.namespace}.${d.name}: not a package name`;
    if (!VERSION.test(d.version)) return `dependency ${d.namespace}.${d.name}: '${d.version}' is not a version`;
    if (!d.dir.startsWith("/") || d.dir.includes(":")) return `dependency ${d.namespace}.${d.name}: its directory must be an absolute path without ':'`;
    const key = packageKey(d);
    if (seen.has(key)) return `dependency ${key} appears twice (or is the package itself)`;
    seen.add(key);
  }
  return null;
}

/**
 * Containers that run a dependency's code under that dependency's grant (the planner, a verified
 * task) must not run code of anyone else: no directory of the closure goes on the Python path
 * (a `sitecustomize.py` or `json.py` at its root would run first), only their `lev/` folders
 * become the `lev` namespace (levrt reads `LEV_DEPS`), the origin package's first.
 */
export function isolatedEnv(deps: readonly PackageDependency[], origin: string): string[] {
  const first = deps.filter((d) => packageKey(d) === origin);
  const rest = deps.filter((d) => packageKey(d) !== origin);
  return ["PYTHONPATH=/lev/rt", `LEV_DEPS=${[...first, ...rest].map(dependencyTarget).join(":")}`];
}

/**
 * Each dependency's `lev/` holds only `lev/<ns>/<name>/` (and caches): then no package of the
 * closure can shadow a module of another inside the `lev` namespace (a `lev/joe/scan.py` beside
 * Joe's real `lev/joe/scan/`). Null when every one does; else why not. Checked before a
 * dependency's grant is ever used.
 */
export async function checkDependencyLayout(deps: readonly PackageDependency[]): Promise<string | null> {
  const only = async (dir: string, name: string): Promise<boolean> => {
    const names = (await readdir(dir).catch(() => null))?.filter((n) => n !== "__pycache__");
    return names !== undefined && names !== null && names.length === 1 && names[0] === name;
  };
  for (const d of deps) {
    const lev = path.join(d.dir, "lev");
    if (!(await only(lev, d.namespace)) || !(await only(path.join(lev, d.namespace), d.name))) {
      return `dependency ${d.namespace}.${d.name}: lev/ must hold only lev/${d.namespace}/${d.name}/`;
    }
  }
  return null;
}
