import "server-only";
import { db } from "../platform/db.ts";
import { problem, validation } from "../errors.ts";
import { canViewPackage } from "../access/permissions.ts";
import type { PinnedDependency, Viewer } from "../types.ts";
import {
  checkClosure,
  closureOf,
  levName,
  packageKey,
  parseRequirements,
  pickVersions,
  type AvailablePackage,
  type ClosureMember,
  type GraphVersion,
} from "./dependencies.ts";

/** A version of the graph with what runs and `lev add` need besides the pure part. */
export interface StoredVersion extends GraphVersion {
  packageId: string;
  namespaceId: string;
  ownerId: string | null;
  dir: string;
  imageDigest: string | null;
  archivePath: string | null;
  archiveSha256: string | null;
}

export type StoredMember = StoredVersion & Pick<ClosureMember, "via">;

/** Who resolves: a user (sees public packages and their own) or the hub itself (sees all). */
type Resolver = Viewer | "system";

const canSee = (who: Resolver, v: { private: boolean; ownerId: string | null; namespace: string }) =>
  who === "system" || canViewPackage(who, { private: v.private, namespace: { ownerId: v.ownerId, name: v.namespace } });

/** Every version reachable from `ids` through pinned dependencies, loaded breadth first. */
export async function loadGraph(ids: readonly string[]): Promise<Map<string, StoredVersion>> {
  const graph = new Map<string, StoredVersion>();
  let frontier = [...new Set(ids)];
  while (frontier.length) {
    const rows = await db().packageVersion.findMany({
      where: { id: { in: frontier } },
      select: {
        id: true,
        version: true,
        dir: true,
        imageDigest: true,
        archivePath: true,
        archiveSha256: true,
        dependsOn: { select: { dependencyId: true } },
        package: { select: { id: true, name: true, private: true, namespaceId: true, namespace: { select: { name: true, ownerId: true } } } },
      },
    });
    for (const r of rows) {
      graph.set(r.id, {
        id: r.id,
        namespace: r.package.namespace.name,
        name: r.package.name,
        version: r.version,
        private: r.package.private,
        dependsOn: r.dependsOn.map((d) => d.dependencyId).sort(),
        packageId: r.package.id,
        namespaceId: r.package.namespaceId,
        ownerId: r.package.namespace.ownerId,
        dir: r.dir,
        imageDigest: r.imageDigest,
        archivePath: r.archivePath,
        archiveSha256: r.archiveSha256,
      });
    }
    frontier = [...new Set(rows.flatMap((r) => r.dependsOn.map((d) => d.dependencyId)))].filter((id) => !graph.has(id));
  }
  return graph;
}

/** The pinned closure (direct and transitive dependencies) of a stored version, sorted by package. */
export async function versionClosure(versionId: string): Promise<StoredMember[]> {
  const graph = await loadGraph([versionId]);
  const self = graph.get(versionId);
  if (!self) return [];
  return closureOf(levName(self), self.dependsOn, graph).map((m) => ({ ...graph.get(m.id)!, via: m.via }));
}

export interface ResolvedDependencies {
  /** the pinned direct dependencies, as the manifest records them */
  direct: (PinnedDependency & { versionId: string })[];
  /** direct and transitive, for introspection */
  closure: StoredMember[];
  /** requirements the hub does not install */
  external: string[];
}

/**
 * Resolves the `[project].dependencies` of a package about to be published, against what
 * `who` may see: every problem at once as a validation error (nothing is published then).
 */
export async function resolveDependencies(
  who: Resolver,
  root: { namespace: string; name: string; private: boolean },
  requirements: readonly string[],
): Promise<ResolvedDependencies> {
  const parsed = parseRequirements(requirements);
  const problems = [...parsed.problems];
  const rows = parsed.lev.length
    ? await db().package.findMany({
        where: { OR: parsed.lev.map((r) => ({ name: r.name, namespace: { name: r.namespace } })) },
        select: { name: true, private: true, namespace: { select: { name: true, ownerId: true } }, versions: { where: { deletedAt: null }, select: { id: true, version: true } } },
      })
    : [];
  const available = new Map<string, AvailablePackage>();
  for (const p of rows) {
    if (!canSee(who, { private: p.private, ownerId: p.namespace.ownerId, namespace: p.namespace.name })) continue;
    available.set(packageKey({ namespace: p.namespace.name, name: p.name }), { namespace: p.namespace.name, name: p.name, versions: p.versions });
  }
  const { picked, problems: pickProblems } = pickVersions(parsed.lev, available);
  problems.push(...pickProblems);
  const graph = await loadGraph(picked.map((p) => p.versionId));
  const checked = checkClosure({ root, direct: picked.map((p) => p.versionId), graph, canSee: (m) => canSee(who, graph.get(m.id)!) });
  problems.push(...checked.problems);
  if (problems.length) {
    const full = levName(root);
    throw validation(`${full} was not published: its dependencies could not be resolved`, undefined, problems.map((p) => problem("dependency", "pyproject.toml", p)));
  }
  return {
    direct: picked.map((p) => ({ namespace: p.namespace, name: p.name, version: p.version, requirement: p.requirement.raw, versionId: p.versionId })),
    closure: checked.closure.map((m) => ({ ...graph.get(m.id)!, via: m.via })),
    external: parsed.external,
  };
}
