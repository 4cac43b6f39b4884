import "server-only";
import { existsSync, readdirSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Manifest } from "../runner/src/index.ts";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES, categoryLabel } from "./categories.ts";
import { db } from "./db.ts";
import { notFound, validation } from "./errors.ts";
import type { Prisma } from "./generated/prisma/client.ts";
import { grantsForPackage } from "./grants.ts";
import { dependencyLinks } from "./packages/dependency-links.ts";
import { compareVersions } from "./packages/metadata.ts";
import { canPublishTo, canViewPackage, isAdmin } from "./permissions.ts";
import { grantedPrivileges } from "./run-policy.ts";
import type {
  BrowseQuery,
  BrowseResult,
  CategoryCount,
  ExportSummary,
  FacetCount,
  FileNode,
  HubManifest,
  PackageDetail,
  PackageSummary,
  SourceFile,
  VersionSummary,
  Viewer,
} from "./types.ts";

export { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "./categories.ts";

const one = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().trim().max(200).optional());
/** Parses page search params (`?q=&tactic=&category=&tag=&kind=&official=&page=`); bad values become defaults. */
export const browseQuerySchema = z.object({
  q: one.transform((v) => v || undefined),
  tactic: one.transform((v) => v || undefined),
  category: one.transform((v) => v || undefined),
  tag: one.transform((v) => v?.toLowerCase() || undefined),
  kind: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.enum(["tool", "workflow"]).optional().catch(undefined)),
  // `?official=true` from a link; `true` again when browse() re-parses a parsed query
  official: z.preprocess((v) => {
    const x = Array.isArray(v) ? v[0] : v;
    return x === true || x === "true" ? true : undefined;
  }, z.literal(true).optional()),
  page: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.coerce.number().int().min(1).max(10_000).optional().catch(undefined)),
  pageSize: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.coerce.number().int().min(1).max(100).optional().catch(undefined)),
});

/** Packages the viewer may see: public ones, their own, everything for admins. */
function visibleWhere(viewer: Viewer | null): Prisma.PackageWhereInput {
  if (isAdmin(viewer)) return { latestVersionId: { not: null } };
  return {
    latestVersionId: { not: null },
    OR: [{ private: false }, ...(viewer ? [{ namespace: { ownerId: viewer.id } }] : [])],
  };
}

const summaryInclude = {
  namespace: { select: { name: true, ownerId: true } },
  officialBy: { select: { username: true } },
  latestVersion: {
    select: {
      version: true,
      manifest: true,
      exports: { select: { qualified: true, name: true, kind: true, tool: true, desc: true, doc: true, tags: true, attck: true, blackarch: true } },
    },
  },
} satisfies Prisma.PackageInclude;

type SummaryRow = Prisma.PackageGetPayload<{ include: typeof summaryInclude }>;
type ExportRow = NonNullable<SummaryRow["latestVersion"]>["exports"][number];

const uniq = <T,>(xs: T[]) => [...new Set(xs)];

function exportSummary(e: ExportRow): ExportSummary {
  return { qualified: e.qualified, name: e.name, kind: e.kind, tool: e.tool, desc: e.desc, tags: e.tags, attck: e.attck, blackarch: e.blackarch };
}

function matchesText(e: ExportRow, q: string): boolean {
  const s = q.toLowerCase();
  return [e.qualified, e.desc, e.doc, ...e.tags].some((x) => x.toLowerCase().includes(s));
}

function toSummary(row: SummaryRow, q?: string): PackageSummary {
  const v = row.latestVersion!;
  const manifest = v.manifest as unknown as Manifest;
  const exports = v.exports;
  return {
    id: row.id,
    namespace: row.namespace.name,
    name: row.name,
    fullName: `${row.namespace.name}.${row.name}`,
    version: v.version,
    desc: manifest.desc || exports.find((e) => e.desc)?.desc || "",
    tags: uniq(exports.flatMap((e) => e.tags)).sort(),
    attck: ATTCK_TACTICS.map((c) => c.key).filter((k) => exports.some((e) => e.attck.includes(k))),
    blackarch: BLACKARCH_CATEGORIES.map((c) => c.key).filter((k) => exports.some((e) => e.blackarch.includes(k))),
    kinds: [
      ...(exports.some((e) => e.kind === "mode") ? (["tool"] as const) : []),
      ...(exports.some((e) => e.kind === "workflow") ? (["workflow"] as const) : []),
    ],
    functions: exports.length,
    private: row.private,
    updatedAt: row.updatedAt.toISOString(),
    matches: q ? exports.filter((e) => matchesText(e, q)).map(exportSummary) : [],
    official: row.officialAt ? { at: row.officialAt.toISOString(), by: row.officialBy?.username ?? null } : null,
  };
}

/** Home page: every ATT&CK tactic and BlackArch category with how many visible packages have it (0 too). */
export async function categoryOverview(viewer: Viewer | null): Promise<{
  attck: CategoryCount[];
  blackarch: CategoryCount[];
  packages: number;
  functions: number;
}> {
  const rows = await db().package.findMany({
    where: visibleWhere(viewer),
    select: { latestVersion: { select: { exports: { select: { attck: true, blackarch: true } } } } },
  });
  const count = (kind: "attck" | "blackarch", key: string) =>
    rows.filter((r) => r.latestVersion?.exports.some((e) => e[kind].includes(key))).length;
  return {
    attck: ATTCK_TACTICS.map((c) => ({ ...c, count: count("attck", c.key) })),
    blackarch: BLACKARCH_CATEGORIES.map((c) => ({ ...c, count: count("blackarch", c.key) })),
    packages: rows.length,
    functions: rows.reduce((n, r) => n + (r.latestVersion?.exports.length ?? 0), 0),
  };
}

function facet(items: PackageSummary[], pick: (p: PackageSummary) => string[], label: (k: string) => string): FacetCount[] {
  const counts = new Map<string, number>();
  for (const p of items) for (const k of uniq(pick(p))) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].map(([key, count]) => ({ key, label: label(key), count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/**
 * Browse and search: text over package names, descriptions, docstrings and tags (ILIKE), facets
 * by tactic, category, tag, kind and the official mark, sorted by name, paginated. Facet counts are over the
 * packages matching the text query and the other facets.
 */
export async function browse(viewer: Viewer | null, raw: BrowseQuery): Promise<BrowseResult> {
  const parsed = browseQuerySchema.safeParse(raw);
  if (!parsed.success) throw validation("invalid search");
  const q = parsed.data;
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 20;
  const and: Prisma.PackageWhereInput[] = [visibleWhere(viewer)];
  if (q.q) {
    const text = q.q;
    const ci = { contains: text, mode: "insensitive" as const };
    const dotted = /^([\w]+)\.([\w]+)$/.exec(text);
    and.push({
      OR: [
        { name: ci },
        { namespace: { name: ci } },
        ...(dotted ? [{ namespace: { name: dotted[1] }, name: { startsWith: dotted[2] } }] : []),
        { latestVersion: { searchText: { contains: text.toLowerCase() } } },
        {
          latestVersion: {
            exports: { some: { OR: [{ qualified: ci }, { desc: ci }, { doc: ci }, { tags: { has: text.toLowerCase() } }] } },
          },
        },
      ],
    });
  }
  const rows = await db().package.findMany({ where: { AND: and }, include: summaryInclude, orderBy: [{ name: "asc" }] });
  const all = rows.map((r) => toSummary(r, q.q));
  const filters = {
    tactic: (p: PackageSummary) => !q.tactic || p.attck.includes(q.tactic),
    category: (p: PackageSummary) => !q.category || p.blackarch.includes(q.category),
    tag: (p: PackageSummary) => !q.tag || p.tags.includes(q.tag),
    kind: (p: PackageSummary) => !q.kind || p.kinds.includes(q.kind),
    official: (p: PackageSummary) => !q.official || p.official !== null,
  };
  const except = (skip: keyof typeof filters) =>
    all.filter((p) => (Object.keys(filters) as (keyof typeof filters)[]).every((k) => k === skip || filters[k](p)));
  const items = all.filter((p) => Object.values(filters).every((f) => f(p)));
  const facets = {
    tactic: facet(except("tactic"), (p) => p.attck, (k) => categoryLabel("attck", k)),
    category: facet(except("category"), (p) => p.blackarch, (k) => categoryLabel("blackarch", k)),
    tag: facet(except("tag"), (p) => p.tags, (k) => k),
    kind: facet(except("kind"), (p) => p.kinds, (k) => (k === "tool" ? "Tool" : "Workflow")),
    // one option, shown with 0 too: the filter exists before any package is marked
    official: [{ key: "true", label: "Official", count: except("official").filter((p) => p.official).length }],
  };
  return { items: items.slice((page - 1) * pageSize, page * pageSize), total: items.length, page, pageSize, facets };
}

/** The most recently published visible packages (the home page's "Recently published"). */
export async function recentPackages(viewer: Viewer | null, limit = 6): Promise<PackageSummary[]> {
  const rows = await db().package.findMany({
    where: visibleWhere(viewer),
    include: summaryInclude,
    orderBy: { updatedAt: "desc" },
    take: Math.min(100, Math.max(1, Math.floor(limit))),
  });
  return rows.map((r) => toSummary(r));
}

async function findVisiblePackage(viewer: Viewer | null, ns: string, name: string) {
  const row = await db().package.findFirst({
    where: { name, namespace: { name: ns } },
    include: {
      ...summaryInclude,
      namespace: { select: { name: true, ownerId: true, owner: { select: { username: true } } } },
      versions: { include: { createdBy: { select: { username: true } } } },
    },
  });
  if (!row || !row.latestVersion || !canViewPackage(viewer, row)) throw notFound(`package ${ns}.${name}`);
  return row;
}

/** A package page: summary, every version, and the chosen (default latest) version's manifest. 404 when not visible. */
export async function getPackage(viewer: Viewer | null, ns: string, name: string, version?: string): Promise<PackageDetail> {
  const row = await findVisiblePackage(viewer, ns, name);
  const versions = [...row.versions].sort((a, b) => compareVersions(b.version, a.version));
  const current = version ? versions.find((v) => v.version === version) : versions.find((v) => v.id === row.latestVersionId);
  if (!current) throw notFound(`version ${version} of ${ns}.${name}`);
  const [exports, grants, links] = await Promise.all([
    db().export.findMany({ where: { versionId: current.id }, orderBy: { qualified: "asc" } }),
    grantsForPackage(row.namespaceId, row.id),
    dependencyLinks(viewer, current.id, row.id),
  ]);
  const manifest = current.manifest as unknown as HubManifest;
  const vs = (v: (typeof versions)[number]): VersionSummary => ({
    id: v.id,
    version: v.version,
    createdAt: v.createdAt.toISOString(),
    createdBy: v.createdBy?.username ?? null,
    imageRef: v.imageRef,
    imageDigest: v.imageDigest,
  });
  return {
    ...toSummary(row),
    versions: versions.map(vs),
    current: {
      ...vs(current),
      manifest,
      buildLog: current.buildLog,
      exports: exports.map((e) => exportSummary(e)),
    },
    owner: row.namespace.owner?.username ?? null,
    canPublish: canPublishTo(viewer, row.namespace),
    granted: grantedPrivileges(grants, row.id),
    ...links,
    external: manifest.external ?? [],
  };
}

async function versionDir(viewer: Viewer | null, ns: string, name: string, version: string): Promise<string> {
  const row = await findVisiblePackage(viewer, ns, name);
  const v = row.versions.find((x) => x.version === version);
  if (!v) throw notFound(`version ${version} of ${ns}.${name}`);
  return v.dir;
}

const SKIP = new Set(["__pycache__", ".git", ".pytest_cache"]);

/** The stored source of a version as a tree (folders first, then files, by name). */
export async function listFiles(viewer: Viewer | null, ns: string, name: string, version: string): Promise<FileNode[]> {
  const root = await versionDir(viewer, ns, name, version);
  const walk = (rel: string): FileNode[] => {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return [];
    const nodes: FileNode[] = [];
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (SKIP.has(entry.name) || entry.name.endsWith(".pyc")) continue;
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) nodes.push({ path: p, name: entry.name, type: "dir", children: walk(p) });
      else if (entry.isFile()) nodes.push({ path: p, name: entry.name, type: "file", size: statSync(path.join(root, p)).size });
    }
    return nodes.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === "dir" ? -1 : 1));
  };
  return walk("");
}

const LANGUAGES: Record<string, string> = {
  ".py": "python", ".toml": "ini", ".md": "markdown", ".txt": "plaintext", ".json": "json", ".yml": "yaml", ".yaml": "yaml",
  ".sh": "bash", ".cfg": "ini", ".ini": "ini", ".js": "javascript", ".ts": "typescript", ".html": "xml", ".xml": "xml",
};
const MAX_SOURCE = 512 * 1024;

/** One file of a version's source; binary files and files over 512 KiB come back without content. */
export async function readSourceFile(viewer: Viewer | null, ns: string, name: string, version: string, rel: string): Promise<SourceFile> {
  const root = await versionDir(viewer, ns, name, version);
  const clean = rel.split("/").filter((p) => p && p !== ".");
  if (clean.some((p) => p === ".." || p.includes("\\") || p.includes("\0"))) throw validation("invalid file path");
  const abs = path.join(root, ...clean);
  if (!abs.startsWith(root + path.sep) || !existsSync(abs) || !statSync(abs).isFile()) throw notFound(`file ${rel}`);
  const size = statSync(abs).size;
  const base = path.basename(abs);
  const language = base === "Dockerfile" ? "dockerfile" : (LANGUAGES[path.extname(abs).toLowerCase()] ?? null);
  const fh = await open(abs, "r");
  try {
    const buf = Buffer.alloc(Math.min(size, MAX_SOURCE));
    await fh.read(buf, 0, buf.length, 0);
    const binary = buf.subarray(0, 8192).includes(0);
    if (binary) return { path: clean.join("/"), content: "", size, binary: true, language: null };
    const content = buf.toString("utf8") + (size > MAX_SOURCE ? "\n… (file truncated)" : "");
    return { path: clean.join("/"), content, size, binary: false, language };
  } finally {
    await fh.close();
  }
}
