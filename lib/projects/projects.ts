import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, conflict, notFound, validation } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { projectRights } from "../access/project-roles.ts";
import { describeWindow } from "../access/project-window.ts";
import type { CreateProjectBody, UpdateProjectBody } from "../schemas/projects.ts";
import type { Viewer } from "../types.ts";
import { readAccess, readableProjectIds, requireRight } from "./access.ts";
import type { ProjectDetail, ProjectSummary } from "./types.ts";

/**
 * Projects: create, read, change, delete. Membership is members.ts, invites invites.ts. A project
 * of which the viewer is no member reads as not found (admins see every project).
 */

/** Sign-ups take this lock too: a user name, a namespace and a project slug are never two of the same. */
export const NAME_LOCK = 72106;

const projectInclude = {
  _count: { select: { members: true } },
} satisfies Prisma.ProjectInclude;
type ProjectRow = Prisma.ProjectGetPayload<{ include: typeof projectInclude }>;

function summary(row: ProjectRow, role: ProjectSummary["role"]): ProjectSummary {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    client: row.client,
    windowStart: row.windowStart?.toISOString() ?? null,
    windowEnd: row.windowEnd?.toISOString() ?? null,
    personal: row.personal,
    role,
    memberCount: row._count.members,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The project by slug, when the viewer may read it; else not found. */
export async function loadProject(viewer: Viewer, slug: string): Promise<ProjectRow> {
  const row = typeof slug === "string" && slug.length <= 64 ? await db().project.findUnique({ where: { slug }, include: projectInclude }) : null;
  if (!row) throw notFound(`project ${slug}`);
  await readAccess(viewer, row.id, `project ${slug}`);
  return row;
}

/**
 * The projects the viewer is a member of: their personal project first, then team projects by
 * name. Admins get every project unless `all: false` (other users' personal projects last).
 */
export async function listProjects(viewer: Viewer, opts: { all?: boolean } = {}): Promise<ProjectSummary[]> {
  const readable = opts.all === false ? undefined : await readableProjectIds(viewer);
  // a token that may not read sees no project at all
  if (readable?.length === 0) return [];
  const where: Prisma.ProjectWhereInput = readable === null ? {} : { members: { some: { userId: viewer.id } } };
  const rows = await db().project.findMany({
    where,
    include: { ...projectInclude, members: { where: { userId: viewer.id }, select: { role: true } } },
    orderBy: [{ personal: "asc" }, { name: "asc" }, { slug: "asc" }],
    take: 1000,
  });
  const mineFirst = rows.sort((a, b) => Number(b.personalOwnerId === viewer.id) - Number(a.personalOwnerId === viewer.id));
  return mineFirst.map((r) => summary(r, r.members[0]?.role ?? null));
}

/** The projects where the viewer may start runs (the run form's choice), their personal project first. */
export async function projectsToRunIn(viewer: Viewer): Promise<ProjectSummary[]> {
  const mine = await listProjects(viewer, { all: false });
  return mine.filter((p) => projectRights({ role: viewer.role, member: p.role, scopes: viewer.token?.scopes }).includes("run"));
}

/** A project with its members and what the viewer may do there. */
export async function getProject(viewer: Viewer, slug: string): Promise<ProjectDetail> {
  const row = await loadProject(viewer, slug);
  const { rights, caller } = await readAccess(viewer, row.id, `project ${slug}`);
  const [members, runCount, scanCount] = await Promise.all([
    db().projectMember.findMany({
      where: { projectId: row.id },
      include: { user: { select: { username: true, name: true } }, addedBy: { select: { username: true } } },
      orderBy: [{ role: "asc" }, { addedAt: "asc" }],
    }),
    db().run.count({ where: { projectId: row.id } }),
    db().savedScan.count({ where: { projectId: row.id } }),
  ]);
  return {
    ...summary(row, caller.member),
    secretsOnDevices: row.secretsOnDevices,
    members: members.map((m) => ({ username: m.user.username, name: m.user.name, role: m.role, addedAt: m.addedAt.toISOString(), addedBy: m.addedBy?.username ?? null })),
    rights,
    runCount,
    scanCount,
  };
}

/**
 * A team project, its creator its first owner. The slug must be free among projects, user names
 * and namespaces (a user's name is their personal project's slug). Nothing is made on any error.
 */
export async function createProject(viewer: Viewer, input: CreateProjectBody): Promise<ProjectSummary> {
  if (projectRights({ role: "user", member: "owner", scopes: viewer.token?.scopes }).length === 0) throw new AppError("forbidden", "this token may not create projects (it needs the run scope)");
  const row = await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${NAME_LOCK})`;
    const taken =
      (await tx.project.findUnique({ where: { slug: input.slug }, select: { id: true } })) ||
      (await tx.user.findUnique({ where: { username: input.slug }, select: { id: true } })) ||
      (await tx.namespace.findUnique({ where: { name: input.slug }, select: { id: true } }));
    if (taken) throw new AppError("conflict", `the name '${input.slug}' is taken`, { fieldErrors: { slug: "taken by another project, a user or a namespace" } });
    return tx.project.create({
      data: {
        slug: input.slug,
        name: input.name,
        description: input.description ?? "",
        client: input.client ?? "",
        windowStart: input.windowStart ?? null,
        windowEnd: input.windowEnd ?? null,
        createdById: viewer.id,
        members: { create: { userId: viewer.id, role: "owner", addedById: viewer.id } },
      },
      include: projectInclude,
    });
  });
  await audit(viewer.id, "project.create", row.slug, { name: row.name, client: row.client, window: describeWindow(row) }, { projectId: row.id });
  return summary(row, "owner");
}

/**
 * Changes the fields given (owners and admins). A personal project keeps its name (its owner's);
 * its description, client and window may change. A window change is audited on its own, with
 * both windows.
 */
export async function updateProject(viewer: Viewer, slug: string, patch: UpdateProjectBody): Promise<ProjectSummary> {
  const row = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, row.id, "manage", `project ${slug}`);
  if (row.personal && patch.name !== undefined && patch.name !== row.name) throw validation("a personal project is named after its owner", { name: "cannot change" });
  const windowStart = patch.windowStart !== undefined ? patch.windowStart : row.windowStart;
  const windowEnd = patch.windowEnd !== undefined ? patch.windowEnd : row.windowEnd;
  // each end valid on its own, but not with the project's other end as it stands: a conflict with its state
  if (windowStart && windowEnd && windowStart.getTime() >= windowEnd.getTime()) {
    throw new AppError("conflict", `the window would end (${windowEnd.toISOString()}) before it starts (${windowStart.toISOString()}): change both ends together`, { fieldErrors: { windowEnd: "before the start" } });
  }
  const data: Prisma.ProjectUpdateInput = {};
  for (const k of ["name", "description", "client"] as const) if (patch[k] !== undefined) data[k] = patch[k];
  if (patch.secretsOnDevices !== undefined) data.secretsOnDevices = patch.secretsOnDevices;
  if (patch.windowStart !== undefined) data.windowStart = patch.windowStart;
  if (patch.windowEnd !== undefined) data.windowEnd = patch.windowEnd;
  const updated = await db().project.update({ where: { id: row.id }, data, include: { ...projectInclude, members: { where: { userId: viewer.id }, select: { role: true } } } });
  const by = asAdmin ? { asAdmin } : {};
  const details = Object.keys(patch).filter((k) => k !== "windowStart" && k !== "windowEnd");
  if (details.length) await audit(viewer.id, "project.update", row.slug, { fields: details, ...by }, { projectId: row.id });
  if (describeWindow(row) !== describeWindow(updated)) {
    await audit(viewer.id, "project.window", row.slug, { before: describeWindow(row), after: describeWindow(updated), ...by }, { projectId: row.id });
  }
  return summary(updated, updated.members[0]?.role ?? null);
}

/**
 * Deletes a team project that holds nothing yet (no run, no scan): runs and their results are
 * records an engagement keeps. A personal project goes only with its user.
 */
export async function deleteProject(viewer: Viewer, slug: string): Promise<void> {
  const row = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, row.id, "manage", `project ${slug}`);
  if (row.personal) throw validation("a personal project cannot be deleted");
  try {
    await db().$transaction(async (tx) => {
      const [runs, scans] = await Promise.all([tx.run.count({ where: { projectId: row.id } }), tx.savedScan.count({ where: { projectId: row.id } })]);
      if (runs || scans) throw conflict(`project ${slug} holds ${runs} run(s) and ${scans} scan(s): a project with records is kept`);
      await tx.project.delete({ where: { id: row.id } });
    });
  } catch (err) {
    // a run started meanwhile: its foreign key keeps the project
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2003") throw conflict(`project ${slug} holds runs now: a project with records is kept`);
    throw err;
  }
  await audit(viewer.id, "project.delete", row.slug, { name: row.name, ...(asAdmin ? { asAdmin } : {}) }, { projectId: row.id });
}
