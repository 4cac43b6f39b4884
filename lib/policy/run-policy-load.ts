import "server-only";
import type { RunPolicy } from "../../runner/src/index.ts";
import { db } from "../platform/db.ts";
import { grantsForPackage } from "./grants.ts";
import type { StoredMember } from "../packages/dependency-load.ts";
import { visiblePackageImages } from "../packages/visible-images.ts";
import { runPolicy, type GrantedFunction } from "./run-policy.ts";
import type { HubSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";

/** The version being run, as far as its policy depends on it (`RunTarget.version` is one). */
export interface PolicyVersion {
  imageDigest: string | null;
  manifest: unknown;
  package: { id: string; name: string; namespaceId: string; namespace: { name: string } };
}

/** A manifest's modes and workflows (a stored manifest is what introspection printed: read defensively). */
export function manifestFunctions(manifest: unknown): GrantedFunction[] {
  const m = (manifest ?? {}) as { modes?: unknown; workflows?: unknown };
  const all: unknown[] = [...(Array.isArray(m.modes) ? m.modes : []), ...(Array.isArray(m.workflows) ? m.workflows : [])];
  return all.filter((f): f is GrantedFunction => {
    const g = f as Partial<GrantedFunction> | null;
    return !!g && typeof g.qualified === "string" && typeof g.name === "string" && typeof g.module === "string" && Array.isArray(g.params);
  });
}

/**
 * Loads what the policy of a run of `fn` in `version` by `viewer` is decided on (the package's
 * grants, the images of packages the viewer may see, each dependency's grants and the modes of its
 * pinned version) and decides with the pure `runPolicy`.
 */
export async function loadRunPolicy(
  viewer: Viewer,
  version: PolicyVersion,
  fn: GrantedFunction,
  settings: HubSettings,
  closure: readonly StoredMember[] = [],
): Promise<RunPolicy> {
  const [grants, visible, depGrants, depManifests] = await Promise.all([
    grantsForPackage(version.package.namespaceId, version.package.id),
    visiblePackageImages(viewer),
    Promise.all(closure.map((m) => grantsForPackage(m.namespaceId, m.packageId))),
    closure.length ? db().packageVersion.findMany({ where: { id: { in: closure.map((m) => m.id) } }, select: { id: true, manifest: true } }) : [],
  ]);
  const manifests = new Map(depManifests.map((v) => [v.id, v.manifest]));
  return runPolicy({
    packageId: version.package.id,
    package: { namespace: version.package.namespace.name, name: version.package.name },
    function: fn,
    functions: manifestFunctions(version.manifest),
    grants,
    settings,
    ownImage: { namespace: version.package.namespace.name, name: version.package.name, imageId: version.imageDigest },
    visibleImages: visible,
    dependencies: closure.map((m, i) => ({
      namespace: m.namespace,
      name: m.name,
      packageId: m.packageId,
      imageId: m.imageDigest,
      grants: depGrants[i],
      functions: manifestFunctions(manifests.get(m.id)),
    })),
  });
}
