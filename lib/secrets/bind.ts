import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { invalidFields, validation } from "../errors.ts";
import { isTypedRef, refKindOf, type ManifestFunction } from "../../runner/src/index.ts";
import { secretUseRefusal } from "../access/secret-use.ts";
import type { ProjectRole } from "../access/project-roles.ts";
import type { Viewer } from "../types.ts";
import type { SecretChoice } from "./types.ts";

/**
 * Binding secrets to runs: a run's (or saved scan's) arguments name secrets by reference only
 * (`{"$lev": "secret", "id"}`), and the run target path (lib/runs/target.ts) checks here that the
 * viewer may use each one in the run's project (lib/access/secret-use.ts). Every run that binds a
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

const argField = (name: string) => `args.${name}`;

/**
 * The secrets `args` (already validated against `fn`) bind, each one the viewer may use in the
 * run's project; otherwise every refusal at once, as field errors `args.<parameter>`.
 */
export async function bindSecrets(viewer: Viewer, runProjectId: string, fn: ManifestFunction, args: Record<string, unknown>): Promise<BoundSecret[]> {
  const given = fn.params.filter((p) => refKindOf(p) === "secret" && isTypedRef(args[p.name], "secret")).map((p) => ({ param: p.name, id: (args[p.name] as { id: string }).id }));
  if (!given.length) return [];
  const rows = await db().secret.findMany({
    where: { id: { in: given.map((g) => g.id) } },
    select: { id: true, name: true, projectId: true, roles: true, project: { select: { personalOwnerId: true, secretsOnDevices: true } } },
  });
  const members = await db().projectMember.findMany({ where: { userId: viewer.id, projectId: { in: rows.map((r) => r.projectId) } }, select: { projectId: true, role: true } });
  const roleIn = new Map<string, ProjectRole>(members.map((m) => [m.projectId, m.role]));
  const errors: Record<string, string> = {};
  const bound: BoundSecret[] = [];
  for (const g of given) {
    const row = rows.find((r) => r.id === g.id);
    // a secret the viewer may not see reads like one that does not exist
    const refusal = row
      ? secretUseRefusal(
          { name: row.name, projectId: row.projectId, personalOwnerId: row.project.personalOwnerId, roles: row.roles },
          { userId: viewer.id, runProjectId, member: roleIn.get(row.projectId) ?? null },
        )
      : "no such secret (it may have been deleted)";
    if (refusal) errors[argField(g.param)] = row && !roleIn.has(row.projectId) && row.project.personalOwnerId !== viewer.id ? "no such secret (it may have been deleted)" : refusal;
    else if (row) bound.push({ id: row.id, name: row.name, param: g.param, projectId: row.projectId, secretsOnDevices: row.project.secretsOnDevices });
  }
  if (Object.keys(errors).length) throw invalidFields(errors);
  return bound;
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
