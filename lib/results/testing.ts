/**
 * Rows the results index needs, made directly (integration tests, the bench): a namespace, a
 * package with one version, and runs of it owned by a given user. No Docker, no introspection.
 */
import { randomBytes } from "node:crypto";
import { db } from "../platform/db.ts";

export interface SeededPackage {
  packageId: string;
  versionId: string;
  fullName: string;
}

export async function seedPackage(ownerId: string | null, name = `results_${randomBytes(3).toString("hex")}`): Promise<SeededPackage> {
  const ns = await db().namespace.create({ data: { name: `ns_${randomBytes(3).toString("hex")}`, ownerId } });
  const pkg = await db().package.create({ data: { namespaceId: ns.id, name } });
  const version = await db().packageVersion.create({
    data: { packageId: pkg.id, version: "1.0.0", manifest: { modes: [], tools: [], workflows: [] }, dir: "/nonexistent" },
  });
  return { packageId: pkg.id, versionId: version.id, fullName: `${ns.name}.${name}` };
}

/** A finished run of `pkg` by `ownerId`, in `projectId` (default: the owner's personal project); its number is the `job` of its documents. */
export async function seedRun(ownerId: string, pkg: SeededPackage, fn = "scan.ports", createdAt = new Date(), projectId?: string): Promise<{ id: string; number: number }> {
  const project = projectId ?? (await db().project.findUniqueOrThrow({ where: { personalOwnerId: ownerId }, select: { id: true } })).id;
  const run = await db().run.create({
    data: { ownerId, projectId: project, versionId: pkg.versionId, function: fn, args: {}, status: "succeeded", createdAt, startedAt: createdAt, endedAt: createdAt },
  });
  return { id: run.id, number: run.number };
}
