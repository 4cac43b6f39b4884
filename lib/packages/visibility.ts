import "server-only";
import { z } from "zod";
import { db } from "../platform/db.ts";
import { audit } from "../platform/audit.ts";
import { conflict, forbidden, notFound } from "../errors.ts";
import { canPublishTo, canViewPackage } from "../access/permissions.ts";
import { packagesForReader } from "./dependencies.ts";
import type { Viewer } from "../types.ts";

/** A package owner's (or an admin's) choice on the package page: private or public. */
export const packageVisibilitySchema = z.object({
  namespace: z.string().trim().regex(/^[A-Za-z_]\w{0,63}$/, "a namespace name"),
  name: z.string().trim().regex(/^[A-Za-z_]\w{0,127}$/, "a package name"),
  private: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]),
});
export type PackageVisibilityInput = z.input<typeof packageVisibilitySchema>;

/**
 * Makes a package private or public: whoever may publish into its namespace. A public package may
 * depend only on public ones, so making one public is refused while a version of it pins a private
 * package, and making one private while a public package pins a version of it; both say which.
 */
export async function setPackageVisibility(viewer: Viewer, input: { namespace: string; name: string; private: boolean }): Promise<{ private: boolean }> {
  const pkg = await db().package.findFirst({
    where: { name: input.name, namespace: { name: input.namespace } },
    select: { id: true, private: true, namespace: { select: { name: true, ownerId: true } } },
  });
  const full = `${input.namespace}.${input.name}`;
  if (!pkg || !canViewPackage(viewer, pkg)) throw notFound(`package ${full}`);
  if (!canPublishTo(viewer, pkg.namespace.name, pkg.namespace)) throw forbidden(`only the owner of ${input.namespace} (or an admin) changes who sees ${full}`);
  if (pkg.private === input.private) return { private: pkg.private };
  const pkgName = (p: { name: string; namespace: { name: string } }) => `lev.${p.namespace.name}.${p.name}`;
  if (!input.private) {
    const privateDeps = await db().package.findMany({
      where: { private: true, versions: { some: { usedBy: { some: { version: { packageId: pkg.id } } } } } },
      select: { name: true, private: true, namespace: { select: { name: true, ownerId: true } } },
    });
    if (privateDeps.length) {
      const named = packagesForReader(privateDeps.map((d) => ({ label: pkgName(d), visible: canViewPackage(viewer, d) })));
      throw conflict(`${full} depends on ${named}, which ${privateDeps.length > 1 ? "are" : "is"} private: a public package may depend only on public ones`);
    }
  } else {
    const publicDependents = await db().package.findMany({
      where: { private: false, id: { not: pkg.id }, versions: { some: { dependsOn: { some: { dependency: { packageId: pkg.id } } } } } },
      select: { name: true, namespace: { select: { name: true } } },
    });
    if (publicDependents.length) throw conflict(`${publicDependents.map(pkgName).join(", ")} ${publicDependents.length > 1 ? "are" : "is"} public and depend${publicDependents.length > 1 ? "" : "s"} on ${full}: it stays public`);
  }
  await db().package.update({ where: { id: pkg.id }, data: { private: input.private } });
  await audit(viewer.id, input.private ? "package.private" : "package.public", full);
  return { private: input.private };
}
