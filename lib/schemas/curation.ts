import { z } from "zod";

/**
 * An admin's curation decision: mark a package official (reviewed) or take the mark away. The form
 * sends `official=true|false`; anything else is refused rather than read as "no".
 */
export const officialInputSchema = z.object({
  namespace: z.string().trim().regex(/^[A-Za-z_]\w{0,63}$/, "a namespace name"),
  name: z.string().trim().regex(/^[A-Za-z_]\w{0,127}$/, "a package name"),
  official: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]),
});
export type OfficialInput = z.input<typeof officialInputSchema>;
