"use server";

import { revalidatePath } from "next/cache";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { setGrant } from "../../lib/policy/grants.ts";
import { grantInputSchema } from "../../lib/schemas/grants.ts";

export type GrantFormState = { status: "idle" } | { status: "saved"; target: string } | { status: "error"; message: string; errors: Record<string, string> };

const grant = adminAction(grantInputSchema, (input, viewer) => setGrant(viewer, input));

/** Adds or changes the grant of a namespace (no package) or of one package. */
export async function grantPrivilegesAction(_prev: GrantFormState, data: FormData): Promise<GrantFormState> {
  const res = await grant({
    namespace: data.get("namespace") ?? "",
    package: data.get("package") ?? null,
    hostNetwork: data.get("hostNetwork") === "on",
    caps: data.getAll("caps"),
    note: data.get("note") ?? "",
  });
  if (!res.ok) return { status: "error", message: res.error, errors: res.fieldErrors ?? {} };
  revalidatePath("/admin/policy");
  return { status: "saved", target: res.data.package ? `${res.data.namespace}.${res.data.package}` : res.data.namespace };
}
