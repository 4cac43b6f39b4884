"use server";

import { revalidatePath } from "next/cache";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { setGrant } from "../../lib/policy/grants.ts";
import { grantInputSchema } from "../../lib/schemas/grants.ts";

export type GrantFormState = { status: "idle" } | { status: "saved"; target: string } | { status: "error"; message: string; errors: Record<string, string> };

const grant = adminAction(grantInputSchema, (input, viewer) => setGrant(viewer, input));

const text = (data: FormData, key: string) => {
  const v = data.get(key);
  return typeof v === "string" ? v : "";
};

/** Adds or changes the grant of a namespace (no package) or of one package. */
export async function grantPrivilegesAction(_prev: GrantFormState, data: FormData): Promise<GrantFormState> {
  const network = text(data, "network");
  const res = await grant({
    namespace: data.get("namespace") ?? "",
    package: data.get("package") ?? null,
    network,
    // the segment's fields count only for a LAN segment (hidden otherwise)
    macvlan:
      network === "macvlan"
        ? { parent: text(data, "macvlan.parent"), subnet: text(data, "macvlan.subnet"), ipRange: text(data, "macvlan.ipRange"), gateway: text(data, "macvlan.gateway") }
        : null,
    caps: data.getAll("caps"),
    modes: text(data, "modes")
      .split(/[\s,]+/)
      .filter(Boolean),
    note: data.get("note") ?? "",
  });
  if (!res.ok) {
    // `modes.0` → the field that holds them all
    const errors: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.fieldErrors ?? {})) errors[k.startsWith("modes.") ? "modes" : k] ??= v;
    return { status: "error", message: res.error, errors };
  }
  revalidatePath("/admin/policy");
  return { status: "saved", target: res.data.package ? `${res.data.namespace}.${res.data.package}` : res.data.namespace };
}
