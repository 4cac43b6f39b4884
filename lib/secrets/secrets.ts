import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { encryptValue } from "../platform/secret-cipher.ts";
import { keyRing } from "../platform/secrets-key.ts";
import { AppError, notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { newRefId } from "../../runner/src/index.ts";
import { secretUseRefusal } from "../access/secret-use.ts";
import { readAccess, requireRight } from "../projects/access.ts";
import { loadProject } from "../projects/projects.ts";
import type { CreateSecretBody, UpdateSecretBody } from "../schemas/secrets.ts";
import type { Viewer } from "../types.ts";
import type { SecretView } from "./types.ts";

/**
 * A project's secrets: names, descriptions and who may use them for whoever may read the project;
 * created, changed and deleted by its owners (and admins, audited so). A value is written once and
 * never read back through here: after saving it is write-only (a new value replaces it). Values
 * are encrypted with the key ring's current key under SECRETS_LOCK, which a key rotation holds
 * while it re-encrypts (lib/secrets/rotate.ts), so no value is written with a key being retired.
 */

/** Held by every write of a value and by a key rotation. */
export const SECRETS_LOCK = 72131;

const select = {
  id: true,
  name: true,
  description: true,
  roles: true,
  createdAt: true,
  updatedAt: true,
  lastUsedAt: true,
  projectId: true,
  createdBy: { select: { username: true } },
  project: { select: { personalOwnerId: true } },
} as const;
type SecretRow = Prisma.SecretGetPayload<{ select: typeof select }>;

function view(r: SecretRow, usable: boolean): SecretView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    roles: r.roles,
    personal: r.project.personalOwnerId !== null,
    createdBy: r.createdBy?.username ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    usable,
  };
}

const facts = (r: SecretRow) => ({ name: r.name, projectId: r.projectId, personalOwnerId: r.project.personalOwnerId, roles: r.roles });

/** The project's secrets by name; `usable`: whether the viewer may bind each to a run here. */
export async function listSecrets(viewer: Viewer, slug: string): Promise<SecretView[]> {
  const project = await loadProject(viewer, slug);
  const { rights, caller } = await readAccess(viewer, project.id, `project ${slug}`);
  const rows = await db().secret.findMany({ where: { projectId: project.id }, select, orderBy: { name: "asc" } });
  const mayRun = rights.includes("run");
  return rows.map((r) => view(r, mayRun && secretUseRefusal(facts(r), { userId: viewer.id, runProjectId: project.id, member: caller.member }) === null));
}

const taken = (name: string) => new AppError("conflict", `the project has a secret named ${name} already`, { fieldErrors: { name: "taken" } });

/** Encrypts `value` for secret `id` with the current key, inside a transaction holding SECRETS_LOCK. */
async function sealed(tx: Prisma.TransactionClient, id: string, value: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SECRETS_LOCK})`;
  // read again under the lock: a rotation in another process may have replaced the key
  return encryptValue(keyRing({ fresh: true }).current, id, value);
}

/**
 * A new secret in the project (its owners and admins). A personal project's secret is its owner's
 * (`roles` is recorded as owner). The value is shown nowhere after this: keep it where it came from.
 */
export async function createSecret(viewer: Viewer, slug: string, body: CreateSecretBody): Promise<SecretView> {
  const project = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, project.id, "manage", `project ${slug}`);
  const id = newRefId();
  const roles = project.personal ? ["owner" as const] : body.roles;
  let row: SecretRow;
  try {
    row = await db().$transaction(async (tx) => {
      const { ciphertext, keyId } = await sealed(tx, id, body.value);
      return tx.secret.create({
        data: { id, projectId: project.id, name: body.name, description: body.description, roles, ciphertext: new Uint8Array(ciphertext), keyId, createdById: viewer.id },
        select,
      });
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw taken(body.name);
    throw err;
  }
  await audit(viewer.id, "secret.create", id, { name: row.name, project: project.slug, roles, ...(asAdmin ? { asAdmin } : {}) }, { projectId: project.id });
  const member = (await readAccess(viewer, project.id, `project ${slug}`)).caller.member;
  return view(row, secretUseRefusal(facts(row), { userId: viewer.id, runProjectId: project.id, member }) === null);
}

async function loadSecret(viewer: Viewer, slug: string, id: string) {
  const project = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, project.id, "manage", `project ${slug}`);
  const row = await db().secret.findFirst({ where: { id, projectId: project.id }, select });
  if (!row) throw notFound(`secret ${id} of project ${slug}`);
  return { project, row, asAdmin };
}

/** Changes the fields given (owners and admins); `value` replaces the value, which is never shown. */
export async function updateSecret(viewer: Viewer, slug: string, id: string, patch: UpdateSecretBody): Promise<SecretView> {
  const { project, row, asAdmin } = await loadSecret(viewer, slug, id);
  let updated: SecretRow;
  try {
    updated = await db().$transaction(async (tx) => {
      const data: Prisma.SecretUpdateInput = {};
      if (patch.name !== undefined) data.name = patch.name;
      if (patch.description !== undefined) data.description = patch.description;
      if (patch.roles !== undefined && !project.personal) data.roles = patch.roles;
      if (patch.value !== undefined) {
        const { ciphertext, keyId } = await sealed(tx, id, patch.value);
        data.ciphertext = new Uint8Array(ciphertext);
        data.keyId = keyId;
      }
      return tx.secret.update({ where: { id }, data, select });
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw taken(patch.name ?? row.name);
    throw err;
  }
  // which fields changed, never a value
  const fields = Object.keys(patch);
  await audit(viewer.id, "secret.update", id, { name: updated.name, ...(patch.name !== undefined && patch.name !== row.name ? { was: row.name } : {}), fields, roles: updated.roles, ...(asAdmin ? { asAdmin } : {}) }, { projectId: project.id });
  const member = (await readAccess(viewer, project.id, `project ${slug}`)).caller.member;
  return view(updated, secretUseRefusal(facts(updated), { userId: viewer.id, runProjectId: project.id, member }) === null);
}

/**
 * Deletes a secret (owners and admins). Runs that bound it keep their arguments (the reference);
 * one still queued fails when a worker asks for it, saying it was deleted.
 */
export async function deleteSecret(viewer: Viewer, slug: string, id: string): Promise<void> {
  const { project, row, asAdmin } = await loadSecret(viewer, slug, id);
  await db().secret.delete({ where: { id } });
  await audit(viewer.id, "secret.delete", id, { name: row.name, ...(asAdmin ? { asAdmin } : {}) }, { projectId: project.id });
}
