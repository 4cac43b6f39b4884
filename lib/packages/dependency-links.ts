import "server-only";
import { db } from "../platform/db.ts";
import { canViewPackage } from "../access/permissions.ts";
import type { DependencyLink, Viewer } from "../types.ts";

/**
 * Both sides of a package's dependencies for its page: the shown version's pinned direct
 * dependencies (each marked whether the viewer may open it), and the packages the viewer may see
 * some version of which depends on any version of this package, at their latest version.
 */
export async function dependencyLinks(viewer: Viewer | null, versionId: string, packageId: string): Promise<{ dependsOn: DependencyLink[]; usedBy: DependencyLink[] }> {
  const pkgSelect = { name: true, private: true, namespace: { select: { name: true, ownerId: true } } } as const;
  const [direct, dependents] = await Promise.all([
    db().versionDependency.findMany({
      where: { versionId },
      select: { requirement: true, dependency: { select: { version: true, package: { select: pkgSelect } } } },
    }),
    db().package.findMany({
      where: { latestVersionId: { not: null }, versions: { some: { deletedAt: null, dependsOn: { some: { dependency: { packageId } } } } } },
      select: { ...pkgSelect, latestVersion: { select: { version: true } } },
    }),
  ]);
  const byName = (a: DependencyLink, b: DependencyLink) => `${a.namespace}.${a.name}`.localeCompare(`${b.namespace}.${b.name}`);
  return {
    dependsOn: direct
      .map((d) => ({
        namespace: d.dependency.package.namespace.name,
        name: d.dependency.package.name,
        version: d.dependency.version,
        requirement: d.requirement,
        visible: canViewPackage(viewer, d.dependency.package),
      }))
      .sort(byName),
    usedBy: dependents
      .filter((p) => canViewPackage(viewer, p))
      .map((p) => ({ namespace: p.namespace.name, name: p.name, version: p.latestVersion!.version, requirement: null, visible: true }))
      .sort(byName),
  };
}
