import "server-only";
import { audit } from "./audit.ts";
import { zodFieldErrors } from "./actions/safe-action.ts";
import { forbidden, validation } from "./errors.ts";
import { isAdmin } from "./permissions.ts";
import { getSettings, hubSettingsSchema, updateSettings, type HubSettings } from "./settings.ts";
import type { Viewer } from "./types.ts";

/** The settings the policy page edits; sign-up and the bootstrap token are the accounts page's. */
export type PolicySettings = Pick<HubSettings, "baseImages" | "buildNetwork" | "build" | "run" | "args">;

const policySchema = hubSettingsSchema.pick({ baseImages: true, buildNetwork: true, build: true, run: true, args: true }).strict();

/** The policy settings in force (admins only). */
export async function getPolicySettings(viewer: Viewer): Promise<PolicySettings> {
  if (!isAdmin(viewer)) throw forbidden("only an admin may see the hub's policy");
  const s = await getSettings();
  return { baseImages: s.baseImages, buildNetwork: s.buildNetwork, build: s.build, run: s.run, args: s.args };
}

/**
 * Replaces the policy settings (admins only). Every value is checked against the settings schema's
 * bounds; any error names its field and nothing is stored. Runs started later get the new values.
 */
export async function updatePolicySettings(viewer: Viewer, input: unknown): Promise<PolicySettings> {
  if (!isAdmin(viewer)) throw forbidden("only an admin may change the hub's policy");
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) throw validation("check the highlighted fields", zodFieldErrors(parsed.error));
  const next = parsed.data;
  if (next.args.totalBytes < next.args.fieldBytes) {
    throw validation("check the highlighted fields", { "args.totalBytes": "must be at least the size of one argument" });
  }
  const before = await getPolicySettings(viewer);
  const saved = await updateSettings(next);
  await audit(viewer.id, "settings.policy", null, { before, after: next } as unknown as Parameters<typeof audit>[3]);
  return { baseImages: saved.baseImages, buildNetwork: saved.buildNetwork, build: saved.build, run: saved.run, args: saved.args };
}
