import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, forbidden, notFound, validation, invalidFields } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { isAdmin } from "../access/permissions.ts";
import { grantInputSchema, type GrantInput } from "../schemas/grants.ts";
import { GRANT_NETWORKS, macvlanSegmentSchema, type GrantNetwork, type Manifest } from "../../runner/src/index.ts";
import { exampleGrant } from "./example-grant.ts";
import type { GrantView, Viewer } from "../types.ts";

export { grantInputSchema, type GrantInput };

const grantInclude = {
  namespace: { select: { name: true } },
  package: { select: { name: true } },
  createdBy: { select: { username: true } },
} satisfies Prisma.GrantInclude;
type GrantRow = Prisma.GrantGetPayload<{ include: typeof grantInclude }>;

function view(g: GrantRow): GrantView {
  const segment = g.network === "macvlan" ? macvlanSegmentSchema.safeParse(g.macvlan) : null;
  return {
    id: g.id,
    namespace: g.namespace.name,
    package: g.package?.name ?? null,
    network: (GRANT_NETWORKS as readonly string[]).includes(g.network) ? (g.network as GrantNetwork) : "none",
    macvlan: segment?.success ? segment.data : null,
    caps: g.caps,
    modes: g.modes,
    note: g.note,
    createdAt: g.createdAt.toISOString(),
    createdBy: g.createdBy?.username ?? null,
  };
}

/** The audit target of a grant: `ns` (namespace-wide) or `ns.name`. */
const target = (namespace: string, pkg: string | null) => (pkg ? `${namespace}.${pkg}` : namespace);

function requireAdmin(viewer: Viewer) {
  if (!isAdmin(viewer)) throw forbidden("only an admin may manage grants");
}

/** Every grant, namespace by namespace (admins only). */
export async function listGrants(viewer: Viewer): Promise<GrantView[]> {
  requireAdmin(viewer);
  const rows = await db().grant.findMany({ include: grantInclude });
  return rows
    .map(view)
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || (a.package ?? "").localeCompare(b.package ?? ""));
}

/** The grants that may apply to a package: its namespace's and its own (the policy picks). */
export async function grantsForPackage(namespaceId: string, packageId: string) {
  return db().grant.findMany({
    where: { namespaceId, OR: [{ packageId: null }, { packageId }] },
    select: { packageId: true, network: true, macvlan: true, caps: true, modes: true },
  });
}

/**
 * Creates or replaces the grant of a namespace or package (admins only). A grant of nothing (no
 * network, no capability) is kept as a row: it records that an admin decided.
 */
export async function setGrant(viewer: Viewer, raw: GrantInput): Promise<GrantView> {
  requireAdmin(viewer);
  const parsed = grantInputSchema.safeParse(raw);
  if (!parsed.success) throw invalidFields(Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "_", i.message])));
  const input = parsed.data;
  const ns = await db().namespace.findUnique({ where: { name: input.namespace } });
  if (!ns) throw validation(`namespace '${input.namespace}' does not exist`, { namespace: "no such namespace" });
  let packageId: string | null = null;
  if (input.package) {
    const pkg = await db().package.findUnique({ where: { namespaceId_name: { namespaceId: ns.id, name: input.package } } });
    if (!pkg) throw validation(`package ${input.namespace}.${input.package} does not exist`, { package: "no such package" });
    packageId = pkg.id;
  }
  const data = {
    network: input.network,
    macvlan: input.macvlan ? ({ ...input.macvlan } as Prisma.InputJsonObject) : Prisma.DbNull,
    caps: input.caps,
    modes: input.modes,
    note: input.note,
    createdById: viewer.id,
  };
  let id: string;
  try {
    id = await db().$transaction(async (tx) => {
      // the compound key holds a null (namespace-wide) that Prisma's upsert cannot address
      const existing = await tx.grant.findFirst({ where: { namespaceId: ns.id, packageId } });
      if (existing) return (await tx.grant.update({ where: { id: existing.id }, data })).id;
      return (await tx.grant.create({ data: { namespaceId: ns.id, packageId, ...data } })).id;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError("conflict", "another admin changed this grant at the same moment; reload and try again");
    }
    throw err;
  }
  await audit(viewer.id, "grant.set", target(input.namespace, input.package), {
    network: input.network,
    ...(input.macvlan ? { macvlan: { ...input.macvlan } } : {}),
    caps: input.caps,
    modes: input.modes,
  });
  return view(await db().grant.findUniqueOrThrow({ where: { id }, include: grantInclude }));
}

/** Removes a grant (admins only); runs started afterwards no longer get it. */
export async function revokeGrant(viewer: Viewer, id: string): Promise<void> {
  requireAdmin(viewer);
  const row = typeof id === "string" && id.length <= 64 ? await db().grant.findUnique({ where: { id }, include: grantInclude }) : null;
  if (!row) throw notFound("grant");
  await db().grant.delete({ where: { id } });
  await audit(viewer.id, "grant.revoke", target(row.namespace.name, row.package?.name ?? null), { network: row.network, caps: row.caps, modes: row.modes });
}

const OPERATOR_NOTE = "the operator's example (granted at start)";

/**
 * The operator's own grant for a bundled example, once: what its functions visibly ask for, by
 * name, to that package (`exampleGrant`: the run's own bridge with NET_RAW for the scans; raw
 * command-line modes left out). `npm start` calls it after publishing an example. It does nothing
 * when any grant decision for the namespace or the package was ever recorded (a grant row, or an
 * audit event of a grant given, changed or revoked): an admin who revoked the operator's grant is
 * never overridden by a restart. An older operator grant (namespace-wide host networking) that
 * nobody changed since is replaced by this one: it was the operator's, not an admin's, decision.
 * Returns whether it granted.
 */
export async function ensureOperatorGrant(example: { namespace: string; name: string; manifest: Pick<Manifest, "modes" | "workflows"> }): Promise<boolean> {
  const wanted = exampleGrant(example.manifest);
  if (!wanted) return false;
  const pkgTarget = target(example.namespace, example.name);
  return db().$transaction(async (tx) => {
    // one starting process at a time decides (two hubs may start together)
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(72108)`;
    const ns = await tx.namespace.findUnique({ where: { name: example.namespace } });
    const pkg = ns ? await tx.package.findUnique({ where: { namespaceId_name: { namespaceId: ns.id, name: example.name } } }) : null;
    if (!ns || !pkg) return false;
    const decisions = await tx.auditEvent.findMany({ where: { target: { in: [example.namespace, pkgTarget] }, action: { startsWith: "grant." } }, select: { action: true } });
    const legacy = await tx.grant.findFirst({
      where: { namespaceId: ns.id, packageId: null, createdById: null, note: OPERATOR_NOTE, network: "host", modes: { isEmpty: true }, caps: { equals: ["NET_RAW"] } },
    });
    const untouched = legacy !== null && decisions.every((d) => d.action === "grant.operator");
    if (untouched) await tx.grant.delete({ where: { id: legacy.id } });
    else if (decisions.length) return false;
    if (await tx.grant.findFirst({ where: { namespaceId: ns.id, OR: [{ packageId: null }, { packageId: pkg.id }] } })) return false;
    await tx.grant.create({ data: { namespaceId: ns.id, packageId: pkg.id, ...wanted, note: OPERATOR_NOTE } });
    // in the same transaction: the marker that this was done must not be lost
    await tx.auditEvent.create({
      data: { actorId: null, action: "grant.operator", target: pkgTarget, data: { ...wanted, ...(untouched ? { replaced: "namespace-wide host networking" } : {}) } },
    });
    return true;
  });
}
