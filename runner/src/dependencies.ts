/**
 * A run's pinned dependency closure as containers see it: each package version mounted read-only
 * at `/lev/deps/<ns>.<name>` and appended to the Python path. `lev/` and `lev/<ns>/` are implicit
 * namespace packages, so `from lev.joe.jsfuck import jsfuck` finds the mounted copy.
 */
import type { PackageDependency } from "./types.ts";

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
