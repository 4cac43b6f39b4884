import "server-only";
import { randomBytes, createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { cp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  ArchiveError,
  archiveKind,
  EngineError,
  extractArchive,
  introspect,
  IntrospectionError,
  locatePackage,
  PackageLayoutError,
  type Manifest,
  type PackageDependency,
  type PackageLocation,
} from "../../runner/src/index.ts";
import { dataDir, packagesDir } from "../platform/config.ts";
import { db } from "../platform/db.ts";
import { getEngine } from "../platform/engine.ts";
import { AppError, conflict, forbidden, problem, validation, type Problem } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { normalizeCategory } from "./categories.ts";
import { canPublishTo } from "../access/permissions.ts";
import { audit } from "../platform/audit.ts";
import type { HubManifest, PublishResult, Viewer } from "../types.ts";
import { buildUploadImage, discardUploadImage } from "./build.ts";
import { resolveDependencies } from "./dependency-load.ts";
import { allFunctions, exportRows } from "./exports.ts";
import { compareVersions, readPackageMetadata } from "./metadata.ts";

import { UPLOAD_LIMITS } from "./upload-limits.ts";

export { UPLOAD_LIMITS } from "./upload-limits.ts";

/** Who publishes: a user, or the hub itself (the examples at start), which may publish anywhere. */
export type Publisher = Viewer | "system";

export interface PublishOptions {
  /**
   * Visibility, tri-state: true or false sets it; undefined means "private" for a new package a
   * user publishes (public once its owner says so: the form, `lev upload --public`, its page) and
   * "unchanged" for an existing one. The hub's own packages (publisher "system": the examples
   * `npm start` publishes, the catalog everyone starts from) are public when new.
   */
  private?: boolean;
  /** publishing a version that exists returns it (`created: false`) instead of a conflict */
  skipExisting?: boolean;
  /** tests and the start script may use another introspection image or runtime */
  introspectTimeoutMs?: number;
}

const stagingRoot = () => path.join(dataDir(), "staging");

/** A single top-level folder (`pkg-0.1/…`) is unwrapped; wheels and bare layouts are used as they are. */
function packageRoot(dir: string): string {
  const entries = readdirSync(dir).filter((e) => e !== "__MACOSX");
  if (entries.length === 1 && !existsSync(path.join(dir, "lev"))) {
    const only = path.join(dir, entries[0]);
    if (statSync(only).isDirectory()) return only;
  }
  return dir;
}

/** What refuses an upload: introspection's errors and categories the hub does not know. Warnings pass. */
function problemsOf(manifest: Manifest): Problem[] {
  const out: Problem[] = manifest.problems.filter((p) => p.severity === "error");
  const check = (where: string, cats: { attck: { key: string }[]; blackarch: { key: string }[] } | undefined) => {
    for (const c of cats?.attck ?? []) if (!normalizeCategory("attck", c.key)) out.push(problem("category", where, `unknown ATT&CK tactic '${c.key}'`));
    for (const c of cats?.blackarch ?? []) if (!normalizeCategory("blackarch", c.key)) out.push(problem("category", where, `unknown BlackArch category '${c.key}'`));
  };
  check("__lev__", manifest.cats);
  for (const t of manifest.tools) check(t.module, t.cats);
  for (const f of allFunctions(manifest)) check(f.qualified, f.cats);
  if (allFunctions(manifest).length === 0) out.push(problem("no-exports", "__lev__", "the package exports no mode or workflow"));
  // a tool's categories are its modes' too: each problem once
  return [...new Map(out.map((p) => [JSON.stringify(p), p])).values()];
}

/** What the catalog's text search reads besides the exports: package and tool descriptions and docs. */
export function searchTextOf(manifest: Manifest): string {
  return [manifest.package, manifest.desc, manifest.doc, ...manifest.tags, ...manifest.tools.flatMap((t) => [t.name, t.desc, t.doc])]
    .filter(Boolean)
    .join("\n")
    .toLowerCase()
    .slice(0, 100_000);
}

async function introspectOrReject(pkg: PackageLocation, dependencies: PackageDependency[], timeoutMs?: number): Promise<Manifest> {
  try {
    return await introspect(getEngine(), pkg.dir, { timeoutMs, dependencies });
  } catch (err) {
    if (err instanceof IntrospectionError) {
      const tail = err.output.trim().split("\n").slice(-15).join("\n");
      throw validation(`the package could not be inspected: ${err.message}`, undefined, [problem("introspection-failed", "", err.message), ...(tail ? [problem("introspection-failed", "output", tail)] : [])]);
    }
    if (err instanceof EngineError) {
      console.error("[levhub] introspection could not run:", err);
      throw new AppError("internal", "the hub's Docker engine is not available, so the package could not be inspected; try again later");
    }
    throw err;
  }
}

/**
 * Publishes the package in `root` (already on disk, in staging). Checks, in order: layout,
 * pyproject.toml (version, dependencies), namespace permission, immutability, dependencies,
 * introspection problems, the image build. Only when
 * all pass is anything stored: the directory moves into the data dir and the rows are written.
 */
async function publishStaged(
  publisher: Publisher,
  root: string,
  archive: { filename: string; data: Buffer } | null,
  opts: PublishOptions,
): Promise<PublishResult> {
  let pkg: PackageLocation;
  try {
    pkg = locatePackage(root);
  } catch (err) {
    if (err instanceof PackageLayoutError) {
      const msg = err.message.replace(`${root}: `, "").replace(root, "the archive");
      throw validation(`wrong layout: ${msg}`, undefined, [problem("layout", "", `expected lev/<namespace>/<name>/__init__.py (${msg})`)]);
    }
    throw err;
  }
  const metadata = readPackageMetadata(root);
  if ("problem" in metadata) throw validation(metadata.problem, undefined, [problem("pyproject", "pyproject.toml", metadata.problem)]);
  const { version } = metadata;
  const full = `${pkg.namespace}.${pkg.name}`;
  if (!existsSync(path.join(root, "pyproject.toml"))) {
    // a wheel carries its metadata in *.dist-info/METADATA; the runtime reads pyproject.toml
    await writeFile(path.join(root, "pyproject.toml"), `[project]\nname = "lev.${full}"\nversion = "${version}"\n`, { mode: 0o644 });
  }

  const ns = await db().namespace.findUnique({ where: { name: pkg.namespace } });
  if (publisher !== "system" && !canPublishTo(publisher, pkg.namespace, ns)) {
    throw forbidden(
      ns
        ? `namespace '${pkg.namespace}' belongs to someone else; publish under lev/${publisher.username}/…`
        : `namespace '${pkg.namespace}' is not yours; publish under lev/${publisher.username}/…`,
    );
  }
  const existing = await db().packageVersion.findFirst({
    where: { version, package: { name: pkg.name, namespace: { name: pkg.namespace } } },
  });
  if (existing) {
    if (existing.deletedAt) throw conflict(`${full} ${version} was published and deleted; a version number is never used twice: raise the version in pyproject.toml`);
    if (opts.skipExisting) return resultFor(existing.id, false);
    throw conflict(`${full} ${version} is already published and versions are immutable: raise the version in pyproject.toml`);
  }

  // dependencies first: introspection imports the package, and with it the packages it imports
  const existingPackage = await db().package.findFirst({ where: { name: pkg.name, namespace: { name: pkg.namespace } }, select: { private: true } });
  const privateWhenNew = publisher !== "system";
  const willBePrivate = opts.private ?? existingPackage?.private ?? privateWhenNew;
  const deps = await resolveDependencies(publisher, { namespace: pkg.namespace, name: pkg.name, private: willBePrivate }, metadata.dependencies);

  const introspected = await introspectOrReject(
    pkg,
    deps.closure.map((m) => ({ namespace: m.namespace, name: m.name, version: m.version, dir: m.dir })),
    opts.introspectTimeoutMs,
  );
  const manifest: HubManifest = {
    ...introspected,
    dependencies: deps.direct.map(({ namespace, name, version, requirement }) => ({ namespace, name, version, requirement })),
    external: deps.external,
  };
  if (manifest.namespace && (manifest.namespace !== pkg.namespace || manifest.name !== pkg.name)) {
    throw validation(`introspection found ${manifest.namespace}.${manifest.name}, the layout says ${full}`);
  }
  const problems = problemsOf(manifest);
  if (problems.length) {
    throw validation(`${full} ${version} was not published: ${problems.length} problem${problems.length > 1 ? "s" : ""}`, undefined, problems);
  }

  const image = pkg.hasDockerfile ? await buildUploadImage(publisher, root, full, pkg.namespace, pkg.name, version) : null;

  // everything checked: store. The files go to a directory of this upload alone, so a concurrent
  // upload of the same version that loses the race below removes only its own files.
  const finalDir = path.join(packagesDir(), pkg.namespace, pkg.name, `${version}-${randomBytes(6).toString("hex")}`);
  await mkdir(finalDir, { recursive: true, mode: 0o755 });
  const srcDir = path.join(finalDir, "src");
  const createdById = publisher === "system" ? null : publisher.id;
  let versionId: string;
  try {
    await rename(root, srcDir);
    let archivePath: string | null = null;
    let archiveSha256: string | null = null;
    if (archive) {
      archivePath = path.join(finalDir, path.basename(archive.filename).replace(/[^A-Za-z0-9._-]/g, "_"));
      await writeFile(archivePath, archive.data, { mode: 0o644 });
      archiveSha256 = createHash("sha256").update(archive.data).digest("hex");
    }
    versionId = await db().$transaction(async (tx) => {
      const nsRow =
        ns ?? (await tx.namespace.upsert({ where: { name: pkg.namespace }, create: { name: pkg.namespace, ownerId: null }, update: {} }));
      const pkgRow = await tx.package.upsert({
        where: { namespaceId_name: { namespaceId: nsRow.id, name: pkg.name } },
        create: { namespaceId: nsRow.id, name: pkg.name, private: opts.private ?? privateWhenNew },
        // an existing package keeps its visibility unless the upload asks for one explicitly
        update: opts.private === undefined ? {} : { private: opts.private },
        include: { latestVersion: { select: { version: true } } },
      });
      // the unique (package, version) constraint decides a race between two uploads of one version
      const row = await tx.packageVersion.create({
        data: {
          packageId: pkgRow.id,
          version,
          manifest: manifest as unknown as Prisma.InputJsonValue,
          dir: srcDir,
          archivePath,
          archiveSha256,
          imageRef: image?.ref ?? null,
          imageDigest: image?.id ?? null,
          buildLog: image?.log ?? null,
          searchText: searchTextOf(manifest),
          createdById,
          exports: { create: exportRows(manifest) },
          // the pinned direct dependencies, in the same transaction: a version never exists without them
          dependsOn: { create: deps.direct.map((d) => ({ dependencyId: d.versionId, requirement: d.requirement })) },
        },
      });
      const latest = !pkgRow.latestVersion || compareVersions(version, pkgRow.latestVersion.version) >= 0;
      // updatedAt moves on every publish: "recently published" means any new version
      await tx.package.update({ where: { id: pkgRow.id }, data: latest ? { latestVersionId: row.id } : { updatedAt: new Date() } });
      return row.id;
    });
  } catch (err) {
    await rm(finalDir, { recursive: true, force: true });
    if (image) await discardUploadImage(image);
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw conflict(`${full} ${version} is already published and versions are immutable: raise the version in pyproject.toml`);
    }
    throw err;
  }
  await audit(createdById, "package.publish", `${full}@${version}`, { image: image?.id ?? null, private: opts.private ?? null });
  return resultFor(versionId, true);
}

async function resultFor(versionId: string, created: boolean): Promise<PublishResult> {
  const row = await db().packageVersion.findUniqueOrThrow({
    where: { id: versionId },
    include: { package: { include: { namespace: true } } },
  });
  return {
    namespace: row.package.namespace.name,
    name: row.package.name,
    private: row.package.private,
    version: row.version,
    packageId: row.packageId,
    versionId: row.id,
    manifest: row.manifest as unknown as Manifest,
    imageRef: row.imageRef,
    buildLog: row.buildLog,
    created,
  };
}

async function withStaging<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = path.join(stagingRoot(), `${Date.now()}-${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Publishes an uploaded archive (.zip, .tar.gz, .whl). Every failure is an AppError; nothing is stored then. */
export async function publishArchive(
  publisher: Publisher,
  file: { filename: string; data: Buffer },
  opts: PublishOptions = {},
): Promise<PublishResult> {
  try {
    const kind = archiveKind(file.filename);
    if (file.data.length === 0) throw new ArchiveError("the file is empty");
    return await withStaging(async (staging) => {
      const out = path.join(staging, "x");
      await extractArchive(kind, file.data, out, UPLOAD_LIMITS);
      return publishStaged(publisher, packageRoot(out), file, opts);
    });
  } catch (err) {
    if (err instanceof ArchiveError) {
      throw new AppError(err.kind === "too_large" ? "too_large" : "validation", err.message, { problems: [problem("archive", file.filename, err.message)] });
    }
    throw err;
  }
}

/** Publishes a package directory (the examples at start; `lev upload <dir>` sends an archive instead). */
export async function publishDirectory(publisher: Publisher, dir: string, opts: PublishOptions = {}): Promise<PublishResult> {
  return withStaging(async (staging) => {
    const copy = path.join(staging, "x");
    await cp(dir, copy, {
      recursive: true,
      filter: (src) => !/(^|\/)(__pycache__|\.git|node_modules|\.pytest_cache)(\/|$)/.test(path.relative(dir, src)) && !src.endsWith(".pyc"),
      verbatimSymlinks: true,
    });
    return publishStaged(publisher, copy, null, opts);
  });
}
