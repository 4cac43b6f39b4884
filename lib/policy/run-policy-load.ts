import "server-only";
import type { RunPolicy } from "../../runner/src/index.ts";
import { grantsForPackage } from "./grants.ts";
import type { StoredMember } from "../packages/dependency-load.ts";
import { visiblePackageImages } from "../packages/visible-images.ts";
import { runPolicy } from "./run-policy.ts";
import type { HubSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";

/** The version being run, as far as its policy depends on it (`RunTarget.version` is one). */
export interface PolicyVersion {
  imageDigest: string | null;
  package: { id: string; name: string; namespaceId: string; namespace: { name: string } };
}

/**
 * Loads what the policy of a run of `version` by `viewer` is decided on (the package's grants, the
 * images of packages the viewer may see, each dependency's grants) and decides with the pure
 * `runPolicy`.
 */
export async function loadRunPolicy(viewer: Viewer, version: PolicyVersion, settings: HubSettings, closure: readonly StoredMember[] = []): Promise<RunPolicy> {
  const [grants, visible, depGrants] = await Promise.all([
    grantsForPackage(version.package.namespaceId, version.package.id),
    visiblePackageImages(viewer),
    Promise.all(closure.map((m) => grantsForPackage(m.namespaceId, m.packageId))),
  ]);
  return runPolicy({
    packageId: version.package.id,
    grants,
    settings,
    ownImage: { namespace: version.package.namespace.name, name: version.package.name, imageId: version.imageDigest },
    visibleImages: visible,
    dependencies: closure.map((m, i) => ({ namespace: m.namespace, name: m.name, packageId: m.packageId, imageId: m.imageDigest, grants: depGrants[i] })),
  });
}
