import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { isEmptyScope, scopeSchema, type Scope } from "../../runner/src/scope/rules.ts";
import type { ProjectScopeBody } from "../schemas/projects.ts";
import type { Viewer } from "../types.ts";
import { readAccess, requireRight } from "./access.ts";
import { loadProject } from "./projects.ts";
import type { ProjectScopeView } from "./types.ts";

/**
 * A project's scope: the targets its runs may touch (runner/src/scope/rules.ts), read by its
 * members, changed by its owners, every change audited with before and after. The run target path
 * (lib/runs/target.ts) refuses targets outside it, and the run's network enforces it on workers
 * that can (runner/src/scope/enforcer.ts); `requireEnforcement` sends its runs only to those,
 * `allowHostNetwork` lets host-network runs through unenforced.
 */

/**
 * The stored scope as rules, null when unscoped. It was validated when stored; a row that no
 * longer reads as a scope refuses every target rather than letting anything through.
 */
export function storedScope(value: Prisma.JsonValue | null): Scope | null {
  if (value === null) return null;
  const parsed = scopeSchema.safeParse(value);
  if (!parsed.success) throw new AppError("internal", "this project's stored scope does not read as a scope: an owner must set it again");
  return isEmptyScope(parsed.data) ? null : parsed.data;
}

/** The scope of a project by id (the run target path), null when unscoped. */
/** What a project says about enforcing its scope (the run's policy carries it). */
export async function projectEnforcement(projectId: string): Promise<{ requireEnforcement: boolean; allowHostNetwork: boolean }> {
  const row = await db().project.findUnique({ where: { id: projectId }, select: { requireEnforcement: true, allowHostNetwork: true } });
  return { requireEnforcement: row?.requireEnforcement ?? false, allowHostNetwork: row?.allowHostNetwork ?? false };
}

export async function projectScope(projectId: string): Promise<Scope | null> {
  const row = await db().project.findUnique({ where: { id: projectId }, select: { scope: true } });
  return row ? storedScope(row.scope) : null;
}

type ScopeRow = { scope: Prisma.JsonValue | null; requireEnforcement: boolean; allowHostNetwork: boolean };

function view(row: ScopeRow, canEdit: boolean): ProjectScopeView {
  return { scope: storedScope(row.scope), requireEnforcement: row.requireEnforcement, allowHostNetwork: row.allowHostNetwork, enforcedByNetwork: row.requireEnforcement && storedScope(row.scope) !== null, canEdit };
}

export async function getProjectScope(viewer: Viewer, slug: string): Promise<ProjectScopeView> {
  const row = await loadProject(viewer, slug);
  const { rights } = await readAccess(viewer, row.id, `project ${slug}`);
  return view(row, rights.includes("manage"));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Replaces the scope and its flags (owners and admins). The row is locked while it is read and
 * written, so the audit's "before" is what the change replaced. Nothing changed: nothing audited.
 */
export async function setProjectScope(viewer: Viewer, slug: string, body: ProjectScopeBody): Promise<ProjectScopeView> {
  const row = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, row.id, "manage", `project ${slug}`);
  const scope = body.scope && !isEmptyScope(body.scope) ? body.scope : null;
  const { before, after } = await db().$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<ScopeRow[]>`SELECT "scope", "requireEnforcement", "allowHostNetwork" FROM "Project" WHERE "id" = ${row.id} FOR UPDATE`;
    if (!locked) throw new AppError("not_found", `project ${slug} not found`);
    const updated = await tx.project.update({
      where: { id: row.id },
      data: { scope: scope ?? Prisma.DbNull, requireEnforcement: body.requireEnforcement, allowHostNetwork: body.allowHostNetwork },
      select: { scope: true, requireEnforcement: true, allowHostNetwork: true },
    });
    return { before: locked, after: updated };
  });
  const b = view(before, true);
  const a = view(after, true);
  const record = (v: ProjectScopeView) => ({ scope: v.scope, requireEnforcement: v.requireEnforcement, allowHostNetwork: v.allowHostNetwork });
  if (!same(record(b), record(a))) {
    await audit(viewer.id, "project.scope", row.slug, { before: record(b), after: record(a), ...(asAdmin ? { asAdmin } : {}) } as Prisma.InputJsonValue, { projectId: row.id });
  }
  return a;
}

/** The scopes of projects the caller already holds (the run form's choices, which they may run in), by slug. */
export async function scopesBySlug(projects: readonly { id: string; slug: string }[]): Promise<Record<string, Scope | null>> {
  const rows = await db().project.findMany({ where: { id: { in: projects.map((p) => p.id) } }, select: { slug: true, scope: true } });
  return Object.fromEntries(rows.map((r) => [r.slug, storedScope(r.scope)]));
}
