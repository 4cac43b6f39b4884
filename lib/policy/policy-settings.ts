import "server-only";
import { audit } from "../platform/audit.ts";
import { forbidden, zodFieldErrors, invalidFields } from "../errors.ts";
import { isAdmin } from "../access/permissions.ts";
import { imageAliasesSchema, pullRegistriesSchema } from "../schemas/image-settings.ts";
import { getSettings, hubSettingsSchema, updateSettings, type HubSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";

/** The settings the policy page edits; sign-up and the bootstrap token are the accounts page's. */
export type PolicySettings = Pick<HubSettings, "baseImages" | "imageAliases" | "pullRegistries" | "buildNetwork" | "build" | "run" | "args" | "files" | "hostNetworkOnHubMachine" | "debug">;

const policySchema = hubSettingsSchema
  .pick({ baseImages: true, buildNetwork: true, build: true, run: true, args: true, files: true, hostNetworkOnHubMachine: true, debug: true })
  // the settings document only bounds sizes; here aliases and registries must also be well formed
  .extend({ imageAliases: imageAliasesSchema, pullRegistries: pullRegistriesSchema })
  .strict();

const policyOf = (s: HubSettings): PolicySettings => ({
  baseImages: s.baseImages,
  imageAliases: s.imageAliases,
  pullRegistries: s.pullRegistries,
  buildNetwork: s.buildNetwork,
  build: s.build,
  run: s.run,
  args: s.args,
  files: s.files,
  hostNetworkOnHubMachine: s.hostNetworkOnHubMachine,
  debug: s.debug,
});

/** The policy settings in force (admins only). */
export async function getPolicySettings(viewer: Viewer): Promise<PolicySettings> {
  if (!isAdmin(viewer)) throw forbidden("only an admin may see the hub's policy");
  return policyOf(await getSettings());
}

/**
 * Replaces the policy settings (admins only). Every value is checked against the settings schema's
 * bounds; any error names its field and nothing is stored. Runs started later get the new values.
 */
export async function updatePolicySettings(viewer: Viewer, input: unknown): Promise<PolicySettings> {
  if (!isAdmin(viewer)) throw forbidden("only an admin may change the hub's policy");
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) throw invalidFields(zodFieldErrors(parsed.error));
  const next = parsed.data;
  if (next.args.totalBytes < next.args.fieldBytes) {
    throw invalidFields({ "args.totalBytes": "must be at least the size of one argument" });
  }
  if (next.files.quotaBytes < next.files.maxBytes) {
    throw invalidFields({ "files.quotaBytes": "must be at least the size of one file" });
  }
  const before = await getPolicySettings(viewer);
  const saved = await updateSettings(next);
  await audit(viewer.id, "settings.policy", null, { before, after: next } as unknown as Parameters<typeof audit>[3]);
  return policyOf(saved);
}
