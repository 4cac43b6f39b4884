/**
 * The order `npm start` publishes examples/ in: every example after the examples it depends on,
 * since an upload resolves its dependencies against what is already published. Pure but for
 * reading each example's pyproject.toml.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseRequirements } from "../lib/packages/dependencies.ts";
import { PyprojectError, readPyproject, type PyprojectProject } from "../runner/src/package/pyproject.ts";

export interface ExampleInfo {
  dir: string;
  /** `lev.ns.name` from pyproject.toml, lower-case; null when it has none */
  name: string | null;
  /** the `lev.ns.name` it requires, lower-case */
  requires: string[];
}

export function readExample(dir: string): ExampleInfo {
  const file = path.join(dir, "pyproject.toml");
  if (!existsSync(file)) return { dir, name: null, requires: [] };
  let project: PyprojectProject;
  try {
    project = readPyproject(readFileSync(file, "utf8"));
  } catch (err) {
    // a malformed pyproject.toml is the upload's to report; here it just orders nothing
    if (err instanceof PyprojectError) return { dir, name: null, requires: [] };
    throw err;
  }
  const requires = parseRequirements(project.dependencies).lev.map((r) => `lev.${r.namespace}.${r.name}`.toLowerCase());
  return { dir, name: project.name?.toLowerCase() ?? null, requires };
}

/**
 * Dependencies first, otherwise by directory. A requirement on something that is not among the
 * examples orders nothing (it may be published already, or the upload says it is missing); a
 * cycle is broken in directory order, and the upload refuses it.
 */
export function publishOrder(examples: ExampleInfo[]): ExampleInfo[] {
  const sorted = [...examples].sort((a, b) => a.dir.localeCompare(b.dir));
  const byName = new Map(sorted.filter((e) => e.name).map((e) => [e.name!, e]));
  const out: ExampleInfo[] = [];
  const state = new Map<ExampleInfo, "visiting" | "done">();
  const visit = (e: ExampleInfo) => {
    if (state.has(e)) return;
    state.set(e, "visiting");
    for (const r of e.requires) {
      const dep = byName.get(r);
      if (dep) visit(dep);
    }
    state.set(e, "done");
    out.push(e);
  };
  for (const e of sorted) visit(e);
  return out;
}
