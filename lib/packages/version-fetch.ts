import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { notFound, validation } from "../errors.ts";
import { canViewPackage } from "../access/permissions.ts";
import { packagesForReader } from "./dependencies.ts";
import type { PublishedVersion, Viewer } from "../types.ts";
import { versionClosure } from "./dependency-load.ts";
import { versionArchive, type VersionArchive } from "./version-archive.ts";

/** A version the viewer may see (`latest`: the package's latest); missing and invisible read alike. */
async function visibleVersion(viewer: Viewer | null, ns: string, name: string, version: string) {
  const pkg = await db().package.findFirst({
    where: { name, namespace: { name: ns } },
    select: { private: true, latestVersionId: true, namespace: { select: { ownerId: true, name: true } } },
  });
  if (!pkg || !canViewPackage(viewer, pkg)) throw notFound(`package ${ns}.${name}`);
  const row = await db().packageVersion.findFirst({
    where: version === "latest" ? { id: pkg.latestVersionId ?? "" } : { version, deletedAt: null, package: { name, namespace: { name: ns } } },
    select: { id: true, version: true, dir: true },
  });
  if (!row) throw notFound(`version ${version} of ${ns}.${name}`);
  return row;
}

/**
 * What `lev add` fetches first: the version, the sha256 of its archive, and its pinned closure
 * (each member with its own sha256). A member the viewer may no longer see makes it unavailable.
 */
export async function publishedVersion(viewer: Viewer | null, ns: string, name: string, version: string): Promise<PublishedVersion> {
  const row = await visibleVersion(viewer, ns, name, version);
  const closure = await versionClosure(row.id);
  const hidden = closure.filter((m) => !canViewPackage(viewer, { private: m.private, namespace: { ownerId: m.ownerId, name: m.namespace } }));
  if (hidden.length) throw validation(`${ns}.${name} ${row.version} depends on ${packagesForReader(hidden.map((m) => ({ label: `lev.${m.namespace}.${m.name}`, visible: false })))}: it is not available to you`);
  const [own, ...deps] = await Promise.all([versionArchive(row.dir), ...closure.map((m) => versionArchive(m.dir))]);
  return {
    namespace: ns,
    name,
    version: row.version,
    sha256: own.sha256,
    dependencies: closure.map((m, i) => ({ namespace: m.namespace, name: m.name, version: m.version, sha256: deps[i].sha256 })),
  };
}

/**
 * The .tar.gz of a version's files (the bytes `publishedVersion`'s sha256 names). A signed-in
 * caller's download is audited (`package.download`); anonymous downloads of public packages are not.
 */
export async function publishedArchive(viewer: Viewer | null, ns: string, name: string, version: string): Promise<VersionArchive & { version: string }> {
  const row = await visibleVersion(viewer, ns, name, version);
  const archive = await versionArchive(row.dir);
  if (viewer) await audit(viewer.id, "package.download", `${ns}.${name}@${row.version}`, { sha256: archive.sha256 });
  return { ...archive, version: row.version };
}
