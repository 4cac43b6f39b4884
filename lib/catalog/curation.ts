import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { forbidden, notFound, zodFieldErrors, invalidFields } from "../errors.ts";
import { isAdmin } from "../access/permissions.ts";
import { officialInputSchema, type OfficialInput } from "../schemas/curation.ts";
import type { OfficialMark, Viewer } from "../types.ts";

export { officialInputSchema, type OfficialInput };

/**
 * Marks a package official (an admin reviewed it) or removes the mark; admins only, audited as
 * `package.official` / `package.unofficial`. Marking again records a new review: this admin, now.
 * Returns the mark in force afterwards (null once removed).
 */
export async function setOfficial(viewer: Viewer, raw: OfficialInput): Promise<OfficialMark | null> {
  if (!isAdmin(viewer)) throw forbidden("only an admin may mark packages official");
  const parsed = officialInputSchema.safeParse(raw);
  if (!parsed.success) throw invalidFields(zodFieldErrors(parsed.error));
  const { namespace, name, official } = parsed.data;
  const pkg = await db().package.findFirst({ where: { name, namespace: { name: namespace } }, select: { id: true, officialAt: true, updatedAt: true } });
  if (!pkg) throw notFound(`package ${namespace}.${name}`);
  const target = `${namespace}.${name}`;
  // a review is not a publication: "recently published" (ordered by updatedAt) must not move
  const keep = { updatedAt: pkg.updatedAt };
  if (!official) {
    if (pkg.officialAt) {
      await db().package.update({ where: { id: pkg.id }, data: { officialAt: null, officialById: null, ...keep } });
      await audit(viewer.id, "package.unofficial", target);
    }
    return null;
  }
  const at = new Date();
  await db().package.update({ where: { id: pkg.id }, data: { officialAt: at, officialById: viewer.id, ...keep } });
  await audit(viewer.id, "package.official", target);
  return { at: at.toISOString(), by: viewer.username };
}
