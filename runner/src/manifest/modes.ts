/**
 * What a grant may cover, read from a manifest: which functions are raw command-line modes (never
 * covered unless a grant names them), which are defined in their own package (only those can carry
 * its grant), and the builder their Crs name. Pure; the hub's policy and the runner share it.
 */
import type { ManifestFunction } from "./introspect.ts";

/**
 * A raw command-line mode lets its caller choose the whole command line, so a grant that does not
 * name it never covers it. Leviathan's convention marks one: a parameter `argv` (what `annot.ARGV`
 * describes), or a function named `raw`.
 */
export function isRawCommandLine(fn: Pick<ManifestFunction, "name" | "params">): boolean {
  return fn.name === "raw" || fn.params.some((p) => p.name === "argv");
}

/** Whether the function is defined in package `ns.name` itself, not imported into it. */
export function definedIn(fn: Pick<ManifestFunction, "module">, pkg: string): boolean {
  const m = fn.module.toLowerCase();
  return m === `lev.${pkg.toLowerCase()}` || m.startsWith(`lev.${pkg.toLowerCase()}.`);
}

/** The builder its Crs name (`levrt` records the function that defined their entry): `module.function`. */
export function modeBuilder(fn: Pick<ManifestFunction, "module" | "name">): string {
  return `${fn.module}.${fn.name}`;
}
