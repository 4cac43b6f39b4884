import "server-only";
import { existsSync, readdirSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import type { Manifest } from "../../runner/src/index.ts";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "../packages/categories.ts";
import { db } from "../platform/db.ts";
import { notFound, validation } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { grantsForPackage } from "../policy/grants.ts";
import { dependencyLinks } from "../packages/dependency-links.ts";
import { compareVersions } from "../packages/metadata.ts";
import { canPublishTo, canViewPackage } from "../access/permissions.ts";
import { functionGrant } from "../policy/run-policy.ts";
import { manifestFunctions } from "../policy/run-policy-load.ts";
import { packageFavouriteCounts } from "./favourite-counts.ts";
import type {
  ExportSummary,
  FileNode,
  HubManifest,
  PackageDetail,
  PackageSummary,
  SourceFile,
  VersionSummary,
  Viewer,
} from "../types.ts";

export { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "../packages/categories.ts";

export { browseQuerySchema } from "../schemas/packages.ts";
export { browse } from "./search.ts";
export { categoryOverview, homeCatalog, recentPackages } from "./overview.ts";

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

/** A package page's summary, from its latest version's manifest and exports. */
function toSummary(row: SummaryRow, favourites: number): PackageSummary {
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
    matches: [],
    official: row.officialAt ? { at: row.officialAt.toISOString(), by: row.officialBy?.username ?? null } : null,
    favourites,
  };
}

async function findVisiblePackage(viewer: Viewer | null, ns: string, name: string) {
  const row = await db().package.findFirst({
    where: { name, namespace: { name: ns } },
    include: {
      ...summaryInclude,
      namespace: { select: { name: true, ownerId: true, owner: { select: { username: true } } } },
      // a deleted version (lib/packages/deletion.ts) is out of the catalog: not listed, not shown, its files not read
      versions: { where: { deletedAt: null }, include: { createdBy: { select: { username: true } } } },
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
  const [exports, grants, links, favourites, mine] = await Promise.all([
    db().export.findMany({ where: { versionId: current.id }, orderBy: { qualified: "asc" } }),
    grantsForPackage(row.namespaceId, row.id),
    dependencyLinks(viewer, current.id, row.id),
    packageFavouriteCounts([row.id]),
    viewer ? db().favourite.findFirst({ where: { userId: viewer.id, packageId: row.id, function: "" }, select: { id: true } }) : null,
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
    ...toSummary(row, favourites.get(row.id) ?? 0),
    versions: versions.map(vs),
    current: {
      ...vs(current),
      manifest,
      buildLog: current.buildLog,
      exports: exports.map((e) => exportSummary(e)),
    },
    owner: row.namespace.owner?.username ?? null,
    canPublish: canPublishTo(viewer, row.namespace.name, row.namespace),
    granted: Object.fromEntries(manifestFunctions(manifest).map((f) => [f.qualified, functionGrant(grants, row.id, f)])),
    ...links,
    external: manifest.external ?? [],
    favourited: mine !== null,
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
