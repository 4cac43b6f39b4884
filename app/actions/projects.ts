"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ProjectFormState } from "../../components/projects/project-form.tsx";
import type { AddMemberState } from "../../components/projects/member-manager.tsx";
import type { InviteFormState } from "../../components/projects/invite-manager.tsx";
import type { ScopeFormState } from "../../components/projects/scope-form.tsx";
import { problemOf, safeAction, type ActionResult, type ProblemState } from "../../lib/actions/safe-action.ts";
import { acceptProjectInvite, createProjectInvite, revokeProjectInvite } from "../../lib/projects/invites.ts";
import { addMember, removeMember, setMemberRole } from "../../lib/projects/members.ts";
import { createProject, deleteProject, updateProject } from "../../lib/projects/projects.ts";
import { setProjectScope } from "../../lib/projects/scope.ts";
import {
  addMemberBodySchema,
  createProjectBodySchema,
  createProjectInviteBodySchema,
  projectRoleSchema,
  projectScopeBodySchema,
  projectSlugSchema,
  updateProjectBodySchema,
} from "../../lib/schemas/projects.ts";

/** The project forms send every field as text: an empty window end is "open on that side". */
const windowField = (v: FormDataEntryValue | null) => (typeof v === "string" && v.trim() ? v.trim() : null);
const text = (data: FormData, k: string) => String(data.get(k) ?? "");

const slugged = <S extends z.ZodRawShape>(shape: S) => z.object({ slug: projectSlugSchema, ...shape });
const create = safeAction(createProjectBodySchema, (input, viewer) => createProject(viewer, input));
const update = safeAction(slugged({ patch: updateProjectBodySchema }), (input, viewer) => updateProject(viewer, input.slug, input.patch));
const remove = safeAction(slugged({}), (input, viewer) => deleteProject(viewer, input.slug));
const add = safeAction(slugged({ member: addMemberBodySchema }), (input, viewer) => addMember(viewer, input.slug, input.member));
const setRole = safeAction(slugged({ username: z.string().min(1).max(32), role: projectRoleSchema }), (input, viewer) => setMemberRole(viewer, input.slug, input.username, input.role));
const removeOne = safeAction(slugged({ username: z.string().min(1).max(32) }), (input, viewer) => removeMember(viewer, input.slug, input.username));
const invite = safeAction(slugged({ invite: createProjectInviteBodySchema }), (input, viewer) => createProjectInvite(viewer, input.slug, input.invite));
const revokeInvite = safeAction(slugged({ id: z.string().min(1).max(64) }), (input, viewer) => revokeProjectInvite(viewer, input.slug, input.id));
const setScope = safeAction(slugged({ body: projectScopeBodySchema }), (input, viewer) => setProjectScope(viewer, input.slug, input.body));
const accept = safeAction(slugged({ token: z.string().min(1).max(200) }), (input, viewer) => acceptProjectInvite(viewer, input.slug, input.token));

/** Field errors of a nested input (`patch.windowEnd`) keyed by the form's field names (`windowEnd`). */
function fieldErrorsOf(res: Extract<ActionResult<unknown>, { ok: false }>): Record<string, string> {
  return Object.fromEntries(Object.entries(res.fieldErrors ?? {}).map(([k, v]) => [k.split(".").pop()!, v]));
}

function formState(res: Extract<ActionResult<unknown>, { ok: false }>): Extract<ProjectFormState, { status: "error" }> {
  const errors = fieldErrorsOf(res);
  return { status: "error", errors, message: Object.keys(errors).length ? null : res.error, code: res.code };
}

/** Projects → New project: the caller becomes its owner and lands on its page. */
export async function createProjectAction(_prev: ProjectFormState, data: FormData): Promise<ProjectFormState> {
  const res = await create({
    slug: text(data, "slug"),
    name: text(data, "name"),
    description: text(data, "description"),
    client: text(data, "client"),
    windowStart: windowField(data.get("windowStart")),
    windowEnd: windowField(data.get("windowEnd")),
  });
  if (!res.ok) return formState(res);
  redirect(`/projects/${res.data.slug}`);
}

/** Project settings → Details: name, description, client and the authorised window. */
export async function updateProjectAction(slug: string, _prev: ProjectFormState, data: FormData): Promise<ProjectFormState> {
  const patch: Record<string, unknown> = { description: text(data, "description"), client: text(data, "client"), windowStart: windowField(data.get("windowStart")), windowEnd: windowField(data.get("windowEnd")) };
  if (data.has("name")) patch.name = text(data, "name");
  const res = await update({ slug, patch });
  if (!res.ok) return formState(res);
  revalidatePath(`/projects/${slug}`);
  return { status: "saved" };
}

/** One entry a line; blank lines dropped. */
const lines = (data: FormData, k: string) => text(data, k).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/**
 * Project settings → Scope: the three lists, one entry a line, and the two flags. A bad entry is
 * shown under its list with its line (`body.scope.allow.2` → allow, line 3).
 */
export async function setProjectScopeAction(slug: string, _prev: ScopeFormState, data: FormData): Promise<ScopeFormState> {
  const res = await setScope({
    slug,
    body: {
      scope: { allow: lines(data, "allow"), exclude: lines(data, "exclude"), services: lines(data, "services") },
      requireEnforcement: data.get("requireEnforcement") === "on",
      allowHostNetwork: data.get("allowHostNetwork") === "on",
    },
  });
  if (!res.ok) {
    const errors: Extract<ScopeFormState, { status: "error" }>["errors"] = {};
    const other: string[] = [];
    for (const [path, message] of Object.entries(res.fieldErrors ?? {})) {
      const m = /(?:^|\.)(allow|exclude|services)(?:\.(\d+))?$/.exec(path);
      if (m) errors[m[1] as "allow"] ??= m[2] !== undefined ? `line ${Number(m[2]) + 1}: ${message}` : message;
      else other.push(message);
    }
    return { status: "error", errors, message: other.join("; ") || (Object.keys(errors).length ? null : res.error), code: res.code };
  }
  revalidatePath(`/projects/${slug}`);
  return { status: "saved" };
}

/** Project settings → Delete: only an empty team project. */
export async function deleteProjectAction(slug: string, _prev: ProblemState, _data: FormData): Promise<ProblemState> {
  const res = await remove({ slug });
  if (!res.ok) return { problem: problemOf(res) };
  redirect("/projects");
}

export async function addMemberAction(slug: string, _prev: AddMemberState, data: FormData): Promise<AddMemberState> {
  const res = await add({ slug, member: { username: text(data, "username"), role: text(data, "role") } });
  if (!res.ok) return { status: "error", errors: fieldErrorsOf(res), message: res.error, code: res.code };
  revalidatePath(`/projects/${slug}/settings`);
  return { status: "added", username: res.data.username, role: res.data.role };
}

export async function setMemberRoleAction(slug: string, _prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await setRole({ slug, username: text(data, "username"), role: text(data, "role") });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath(`/projects/${slug}/settings`);
  return { problem: null };
}

/** Removes a member (or, with one's own name, leaves the project). */
export async function removeMemberAction(slug: string, _prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await removeOne({ slug, username: text(data, "username") });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath(`/projects/${slug}/settings`);
  return { problem: null };
}

/** Project settings → Invite by e-mail: the link is in the answer, once. */
export async function createProjectInviteAction(slug: string, _prev: InviteFormState, data: FormData): Promise<InviteFormState> {
  const res = await invite({ slug, invite: { email: text(data, "email"), role: text(data, "role"), days: text(data, "days") || undefined } });
  if (!res.ok) return { status: "error", errors: fieldErrorsOf(res), message: res.error, code: res.code };
  revalidatePath(`/projects/${slug}/settings`);
  return { status: "created", path: res.data.path, email: res.data.invite.email, signUp: res.data.signUp };
}

export async function revokeProjectInviteAction(slug: string, _prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await revokeInvite({ slug, id: text(data, "id") });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath(`/projects/${slug}/settings`);
  return { problem: null };
}

/** The invite page's Join button: the signed-in account with the invited e-mail becomes a member. */
export async function acceptProjectInviteAction(slug: string, token: string, _prev: ProblemState, _data: FormData): Promise<ProblemState> {
  const res = await accept({ slug, token });
  if (!res.ok) return { problem: problemOf(res) };
  redirect(`/projects/${res.data.slug}`);
}
