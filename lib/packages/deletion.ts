import "server-only";
import { rm } from "node:fs/promises";
import path from "node:path";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, forbidden, notFound, problem, validation } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { canPublishTo, canViewPackage } from "../access/permissions.ts";
import type { Viewer } from "../types.ts";
import { HELD_RUN_STATUSES } from "../../runner/src/status.ts";
import { plural } from "../../runner/src/plural.ts";
import { removeVersionImage } from "./build.ts";
import { compareVersions } from "./metadata.ts";
import { VERSION_ARCHIVE_NAME } from "./version-archive.ts";

/**
 * Deleting a version of a package, or the whole package (every version), by whoever publishes into
 * its namespace, once nothing depends on it:
 *
 * - refused (409, nothing changed) while another package's version depends on it, or one of its
 *   runs is queued or running;
 * - the version leaves the catalog (its catalog rows go, the package's latest moves to the highest
 *   version left; none left, the package is no longer listed), its files, archive and image are
 *   removed, it can never be run, depended on or fetched again, and its number is never published
 *   again (versions are immutable);
 * - its runs stay, with their pages, arguments and the documents they stored (for whoever ran
 *   them); they cannot be re-run on it; saved scans pinned to it (of the whole package: every scan
 *   of it) are disabled with the reason;
 * - audited (`package.delete`, `version.delete`).
 */

/** What the page's confirmation must read: the package (`ns.name`) or the version (`ns.name@1.0.0`). */
export function deletionConfirmation(target: { namespace: string; name: string; version?: string | null }): string {
  return `${target.namespace}.${target.name}${target.version ? `@${target.version}` : ""}`;
}

/** What deleting did, for the page to say. */
export interface Deleted {
  package: string;
  /** the versions deleted now */
  versions: string[];
  /** the package's latest version after it; null: no version is left, the package is gone from the catalog */
  latest: string | null;
  /** saved scans disabled because they ran what was deleted */
  scansDisabled: number;
}

export async function deletePackageVersions(viewer: Viewer, input: { namespace: string; name: string; version?: string | null; confirm: string }): Promise<Deleted> {
  const label = `${input.namespace}.${input.name}`;
  const expected = deletionConfirmation(input);
  if (input.confirm.trim() !== expected) throw validation(`type ${expected} to confirm`, { confirm: `type ${expected} to confirm` });
  const now = new Date();
  const out = await db().$transaction(
    async (tx) => {
      const pkg = await tx.package.findFirst({
        where: { name: input.name, namespace: { name: input.namespace } },
        include: { namespace: true, versions: { where: { deletedAt: null }, select: { id: true, version: true, dir: true, archivePath: true, imageRef: true } } },
      });
      // a package the viewer may not see does not exist for them; one they see but do not publish into is not theirs to delete
      if (!pkg || !pkg.latestVersionId || !canViewPackage(viewer, pkg)) throw notFound(`package ${label}`);
      if (!canPublishTo(viewer, pkg.namespace.name, pkg.namespace)) throw forbidden(`only who publishes into ${pkg.namespace.name} deletes its packages`);
      // one deletion at a time per package: the latest version it leaves is computed from what is left
      await tx.$queryRaw`SELECT 1 FROM "Package" WHERE "id" = ${pkg.id} FOR UPDATE`;
      const targets = input.version ? pkg.versions.filter((v) => v.version === input.version) : pkg.versions;
      if (!targets.length) throw new AppError("not_found", `version ${input.version} of ${label} not found`, { fieldErrors: { version: "no such version" } });
      const ids = targets.map((v) => v.id);
      await refuseWhileNeeded(tx, viewer, ids, label);
      await tx.packageVersion.updateMany({ where: { id: { in: ids } }, data: { deletedAt: now } });
      // the catalog's rows of what was deleted; the latest moves to the highest version left (the trigger refreshes the search row)
      await tx.export.deleteMany({ where: { versionId: { in: ids } } });
      const left = pkg.versions.filter((v) => !ids.includes(v.id)).sort((a, b) => compareVersions(b.version, a.version));
      await tx.package.update({ where: { id: pkg.id }, data: { latestVersionId: left[0]?.id ?? null } });
      const reason = left.length ? `version ${targets.map((v) => v.version).join(", ")} of ${label} was deleted by its publisher` : `${label} was deleted by its publisher`;
      const scans = await tx.savedScan.updateMany({
        where: { enabled: true, ...(left.length ? { versionId: { in: ids } } : { packageId: pkg.id }) },
        data: { enabled: false, nextRunAt: null, lastError: { code: "gone", message: reason, at: now.toISOString() } as Prisma.InputJsonValue },
      });
      return { pkgId: pkg.id, targets, latest: left[0]?.version ?? null, scansDisabled: scans.count };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  // what the versions stored: nothing refers to it any more (a worker fetches files only for a held run, and none is)
  for (const v of out.targets) {
    await rm(v.dir, { recursive: true, force: true }).catch(() => undefined);
    await rm(path.join(path.dirname(v.dir), VERSION_ARCHIVE_NAME), { force: true }).catch(() => undefined);
    if (v.archivePath) await rm(v.archivePath, { force: true }).catch(() => undefined);
    if (v.imageRef) await removeVersionImage(v.imageRef);
  }
  const versions = out.targets.map((v) => v.version);
  await audit(viewer.id, input.version ? "version.delete" : "package.delete", out.pkgId, { package: label, versions, scansDisabled: out.scansDisabled });
  return { package: label, versions, latest: out.latest, scansDisabled: out.scansDisabled };
}

/**
 * Refuses (409, with every reason) while a version of another package depends on one of `ids`
 * (named when the viewer may see it, counted otherwise) or a run of one of them is queued or running.
 */
async function refuseWhileNeeded(tx: Prisma.TransactionClient, viewer: Viewer, ids: string[], label: string): Promise<void> {
  const dependents = await tx.versionDependency.findMany({
    where: { dependencyId: { in: ids }, versionId: { notIn: ids }, version: { deletedAt: null } },
    select: { version: { select: { version: true, package: { select: { name: true, private: true, namespace: { select: { name: true, ownerId: true } } } } } } },
  });
  const active = await tx.run.count({ where: { versionId: { in: ids }, status: { in: ["queued", ...HELD_RUN_STATUSES] } } });
  const details: string[] = [];
  const named = dependents.filter((d) => canViewPackage(viewer, d.version.package));
  for (const d of named) details.push(`lev.${d.version.package.namespace.name}.${d.version.package.name} ${d.version.version} depends on it`);
  const hidden = dependents.length - named.length;
  if (hidden) details.push(`${plural(hidden, "more version")} you may not see ${hidden === 1 ? "depends" : "depend"} on it`);
  if (active) details.push(`${active} of its runs ${active === 1 ? "is" : "are"} queued or running: cancel ${active === 1 ? "it" : "them"} or wait until ${active === 1 ? "it ends" : "they end"}`);
  if (details.length) throw new AppError("conflict", `${label} cannot be deleted while something needs it: ${details.join("; ")}`, { problems: details.map((d) => problem("needed", label, d)) });
}
