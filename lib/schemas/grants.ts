import { z } from "zod";
import { GRANTABLE_CAPS } from "../../runner/src/policy/policy.ts";

/** What an admin grants: to a whole namespace (no package) or to one package of it. */
export const grantInputSchema = z.object({
  namespace: z.string().trim().regex(/^[A-Za-z_]\w{0,63}$/, "a namespace name"),
  // a form's empty field means the whole namespace
  package: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? null : v),
    z.string().trim().regex(/^[A-Za-z_]\w{0,127}$/, "a package name").nullish().transform((v) => v ?? null),
  ),
  hostNetwork: z.boolean(),
  caps: z.array(z.enum(GRANTABLE_CAPS)).max(GRANTABLE_CAPS.length).transform((c) => GRANTABLE_CAPS.filter((x) => c.includes(x))),
  note: z.string().trim().max(500).default(""),
});
export type GrantInput = z.input<typeof grantInputSchema>;
