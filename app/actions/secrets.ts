"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { SecretFormState } from "../../components/projects/secret-manager.tsx";
import { problemOf, safeAction, type ActionResult, type ProblemState } from "../../lib/actions/safe-action.ts";
import { updateProject } from "../../lib/projects/projects.ts";
import { projectSlugSchema } from "../../lib/schemas/projects.ts";
import { createSecretBodySchema, updateSecretBodySchema } from "../../lib/schemas/secrets.ts";
import { createSecret, deleteSecret, updateSecret } from "../../lib/secrets/secrets.ts";
import { refIdSchema } from "../../runner/src/index.ts";

const slugged = <S extends z.ZodRawShape>(shape: S) => z.object({ slug: projectSlugSchema, ...shape });
const create = safeAction(slugged({ secret: createSecretBodySchema }), (input, viewer) => createSecret(viewer, input.slug, input.secret));
const update = safeAction(slugged({ id: refIdSchema, patch: updateSecretBodySchema }), (input, viewer) => updateSecret(viewer, input.slug, input.id, input.patch));
const remove = safeAction(slugged({ id: refIdSchema }), (input, viewer) => deleteSecret(viewer, input.slug, input.id));
const onDevices = safeAction(slugged({ allow: z.boolean() }), (input, viewer) => updateProject(viewer, input.slug, { secretsOnDevices: input.allow }));

const text = (data: FormData, k: string) => String(data.get(k) ?? "");
/** The roles the form's checkboxes chose; none checked is sent as none (a refusal naming the field). */
const roles = (data: FormData) => data.getAll("roles").map(String);

function errorState(res: Extract<ActionResult<unknown>, { ok: false }>): SecretFormState {
  const errors = Object.fromEntries(Object.entries(res.fieldErrors ?? {}).map(([k, v]) => [k.split(".").pop()!, v]));
  return { status: "error", errors, message: res.error, code: res.code };
}

/**
 * Project settings → Secrets → Add: the value goes to the hub once and is never shown again (the
 * answer names the secret, not its value).
 */
export async function createSecretAction(slug: string, _prev: SecretFormState, data: FormData): Promise<SecretFormState> {
  const res = await create({ slug, secret: { name: text(data, "name"), value: text(data, "value"), description: text(data, "description"), roles: roles(data) } });
  if (!res.ok) return errorState(res);
  revalidatePath(`/projects/${slug}/settings`);
  return { status: "saved", name: res.data.name };
}

/** Secrets → a secret's form: a new value (replacing the old, unseen), its description and roles. */
export async function updateSecretAction(slug: string, id: string, _prev: SecretFormState, data: FormData): Promise<SecretFormState> {
  const patch: Record<string, unknown> = { description: text(data, "description") };
  if (data.has("roles") || data.has("rolesShown")) patch.roles = roles(data);
  if (text(data, "value") !== "") patch.value = text(data, "value");
  const res = await update({ slug, id, patch });
  if (!res.ok) return errorState(res);
  revalidatePath(`/projects/${slug}/settings`);
  return { status: "saved", name: res.data.name };
}

export async function deleteSecretAction(slug: string, _prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await remove({ slug, id: text(data, "id") });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath(`/projects/${slug}/settings`);
  return { problem: null };
}

/** Secrets → "Devices may receive them": whether runs sent to users' devices may carry the project's secrets (over https only). */
export async function secretsOnDevicesAction(slug: string, _prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await onDevices({ slug, allow: text(data, "allow") === "true" });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath(`/projects/${slug}/settings`);
  return { problem: null };
}
