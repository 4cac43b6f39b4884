/**
 * A published version's catalog rows (`Export`), one per mode and workflow, derived from its
 * manifest once at upload: the catalog, its facets and its search read these rows only. Pure.
 */
import type { Manifest, ManifestCat, ManifestFunction } from "../../runner/src/index.ts";
import { normalizeCategory } from "./categories.ts";

type Cats = { attck: ManifestCat[]; blackarch: ManifestCat[] };

/** Every mode and workflow once, with the tool a mode belongs to. */
export function allFunctions(manifest: Manifest): (ManifestFunction & { tool: string | null })[] {
  const seen = new Map<string, ManifestFunction & { tool: string | null }>();
  for (const t of manifest.tools) for (const f of t.modes) seen.set(f.qualified, { ...f, tool: t.name });
  for (const f of [...manifest.modes, ...manifest.workflows]) if (!seen.has(f.qualified)) seen.set(f.qualified, { ...f, tool: null });
  return [...seen.values()];
}

const norm = (kind: "attck" | "blackarch", cats: { key: string }[]) =>
  cats.map((c) => normalizeCategory(kind, c.key)).filter((k): k is string => k !== null);

/**
 * The categories and tags a function is found by: its own, else its tool module's (Leviathan's
 * usual idiom puts `cats=` and `tags=` on the tool's `__lev__` and none on the modes), per
 * category family; then the package's, always added.
 */
export function functionFacets(
  f: Pick<ManifestFunction, "cats" | "tags">,
  tool: { cats?: Cats; tags?: string[] } | null,
  pkg: { cats: Cats; tags: string[] },
): { tags: string[]; attck: string[]; blackarch: string[] } {
  const own = (kind: "attck" | "blackarch") => (f.cats[kind].length ? f.cats[kind] : (tool?.cats?.[kind] ?? []));
  const tags = f.tags.length ? f.tags : (tool?.tags ?? []);
  return {
    tags: [...new Set([...tags, ...pkg.tags].map((t) => t.toLowerCase()))],
    attck: [...new Set([...norm("attck", own("attck")), ...norm("attck", pkg.cats.attck)])],
    blackarch: [...new Set([...norm("blackarch", own("blackarch")), ...norm("blackarch", pkg.cats.blackarch)])],
  };
}

/** The `Export` rows of a version. */
export function exportRows(manifest: Manifest) {
  const tools = new Map(manifest.tools.map((t) => [t.name, t]));
  return allFunctions(manifest).map((f) => ({
    kind: f.kind,
    qualified: f.qualified,
    name: f.name,
    tool: f.tool,
    desc: f.desc || f.description || "",
    doc: f.doc || "",
    ...functionFacets(f, f.tool === null ? null : (tools.get(f.tool) ?? null), manifest),
  }));
}
