import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { validation } from "../errors.ts";
import { isTypedRef } from "../../runner/src/index.ts";
import { refUses } from "../runs/ref-uses.ts";
import { secretUseRefusal } from "../access/secret-use.ts";
import type { ProjectRole } from "../access/project-roles.ts";
import type { Viewer } from "../types.ts";
import type { SecretChoice } from "./types.ts";

/**
 * Binding secrets to runs: a run's (or saved scan's) arguments name secrets by reference only
 * (`{"$lev": "secret", "id"}`), and the one typed-reference path (lib/runs/arg-refs.ts) checks here
 * that the viewer may use each one in the run's project (lib/access/secret-use.ts). Every run that binds a
 * secret records `secret.use` (which secret, which run, never the value).
 */

/** A secret a run's arguments bind, once checked. */
export interface BoundSecret {
  id: string;
  name: string;
  /** the parameter it was given to */
  param: string;
  /** the secret's own project (a personal secret's is its owner's personal project) */
  projectId: string;
  secretsOnDevices: boolean;
}

/**
 * The typed-reference resolver of kind `secret` (lib/runs/arg-refs.ts): of the secrets `ids`, those
 * the viewer may use in the run's project, and why each one they may see is refused
 * (lib/access/secret-use.ts). A secret the viewer may not see is in neither: it reads as missing.
 */
export async function usableSecrets(viewer: Viewer, ids: string[], runProjectId: string): Promise<{ usable: Set<string>; refused: Map<string, string> }> {
  const rows = await db().secret.findMany({
    where: { id: { in: ids } },
    select: { id: true, name: true, projectId: true, roles: true, project: { select: { personalOwnerId: true } } },
  });
  const members = await db().projectMember.findMany({ where: { userId: viewer.id, projectId: { in: rows.map((r) => r.projectId) } }, select: { projectId: true, role: true } });
  const roleIn = new Map<string, ProjectRole>(members.map((m) => [m.projectId, m.role]));
  const usable = new Set<string>();
  const refused = new Map<string, string>();
  for (const row of rows) {
    const member = roleIn.get(row.projectId) ?? null;
    if (member === null && row.project.personalOwnerId !== viewer.id) continue;
    const refusal = secretUseRefusal({ name: row.name, projectId: row.projectId, personalOwnerId: row.project.personalOwnerId, roles: row.roles }, { userId: viewer.id, runProjectId, member });
    if (refusal) refused.set(row.id, refusal);
    else usable.add(row.id);
  }
  return { usable, refused };
}

/**
 * The secrets a run binds, once its references are resolved (`refs.secret`: ids the viewer may use):
 * each with the parameter it was given to, for the device check and the `secret.use` audit.
 */
export async function boundSecrets(ids: readonly string[], args: Record<string, unknown>): Promise<BoundSecret[]> {
  if (!ids.length) return [];
  const rows = await db().secret.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true, projectId: true, project: { select: { secretsOnDevices: true } } } });
  const params = new Map(refUses(args).secret.map((u) => [u.id, u.param]));
  return rows.map((r) => ({ id: r.id, name: r.name, param: params.get(r.id) ?? "", projectId: r.projectId, secretsOnDevices: r.project.secretsOnDevices }));
}

/** A run sent to a device takes secrets only from projects that allow it (and then only over https). */
export function assertSecretsMayGoToDevice(bound: BoundSecret[], device: string): void {
  const refused = bound.filter((b) => !b.secretsOnDevices);
  if (!refused.length) return;
  const names = refused.map((b) => b.name).join(", ");
  const message = `secret ${names} may not be sent to device ${device}: its project keeps its secrets on the hub's workers (an owner can allow devices in the project's settings)`;
  throw validation(message, { device: message });
}

/** Records that a run bound these secrets: `secret.use` in the run's project (and in the secret's own, when another). */
export async function recordSecretUse(viewer: Viewer, run: { id: string; number: number; projectId: string }, bound: BoundSecret[]): Promise<void> {
  if (!bound.length) return;
  await db().secret.updateMany({ where: { id: { in: bound.map((b) => b.id) } }, data: { lastUsedAt: new Date() } });
  for (const b of bound) {
    const data = { name: b.name, run: run.id, number: run.number, param: b.param };
    await audit(viewer.id, "secret.use", b.id, data, { projectId: run.projectId });
    if (b.projectId !== run.projectId) await audit(viewer.id, "secret.use", b.id, data, { projectId: b.projectId });
  }
}

/**
 * The secrets the viewer may bind to a run, for the run form's picker: each team project's secrets
 * whose roles include the viewer's role there (`project`: its slug, usable in its runs only), and
 * the viewer's own (their personal project's; `project` null: usable in any project).
 */
export async function secretChoices(viewer: Viewer): Promise<SecretChoice[]> {
  const memberships = await db().projectMember.findMany({ where: { userId: viewer.id }, select: { projectId: true, role: true } });
  if (!memberships.length) return [];
  const rows = await db().secret.findMany({
    where: { projectId: { in: memberships.map((m) => m.projectId) } },
    select: { id: true, name: true, description: true, roles: true, projectId: true, project: { select: { slug: true, personalOwnerId: true } } },
    orderBy: [{ name: "asc" }],
  });
  const roleIn = new Map(memberships.map((m) => [m.projectId, m.role]));
  return rows
    .filter((r) => (r.project.personalOwnerId !== null ? r.project.personalOwnerId === viewer.id : r.roles.includes(roleIn.get(r.projectId)!)))
    .map((r) => ({ id: r.id, name: r.name, description: r.description, project: r.project.personalOwnerId !== null ? null : r.project.slug }));
}

/** The names of the secrets a run's arguments name, by id ("deleted" for one no longer there): the run page shows them. */
export async function secretNames(args: Record<string, unknown>): Promise<Record<string, string>> {
  const ids = Object.values(args)
    .filter((v) => isTypedRef(v, "secret"))
    .map((v) => (v as { id: string }).id);
  if (!ids.length) return {};
  const rows = await db().secret.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return Object.fromEntries(ids.map((id) => [id, rows.find((r) => r.id === id)?.name ?? "(deleted)"]));
}
