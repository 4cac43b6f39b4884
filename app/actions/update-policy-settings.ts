"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { validation } from "../../lib/errors.ts";
import { getPolicySettings, updatePolicySettings } from "../../lib/policy/policy-settings.ts";
import { parseImageAliases, parsePullRegistries } from "../../lib/schemas/image-settings.ts";
import { NUMBER_FIELDS, writePath } from "../admin/policy/fields.ts";

export type PolicySettingsState = { status: "idle" } | { status: "saved" } | { status: "error"; message: string; errors: Record<string, string> };

const formInput = z.object({
  baseImages: z.string().max(50_000),
  imageAliases: z.string().max(60_000),
  pullRegistries: z.string().max(10_000),
  buildNetwork: z.enum(["none", "default"]),
  hostNetworkOnHubMachine: z.boolean(),
  debugEnabled: z.boolean(),
  numbers: z.record(z.string(), z.string().max(32)),
});

const save = adminAction(formInput, async (input, viewer) => {
  const errors: Record<string, string> = {};
  // start from what is stored so a setting the form does not show keeps its value
  const next = structuredClone(await getPolicySettings(viewer)) as unknown as Record<string, unknown>;
  next.baseImages = [...new Set(input.baseImages.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))];
  const aliases = parseImageAliases(input.imageAliases);
  if (aliases.ok) next.imageAliases = aliases.value;
  else errors.imageAliases = aliases.problems.join("; ");
  const registries = parsePullRegistries(input.pullRegistries);
  if (registries.ok) next.pullRegistries = registries.value;
  else errors.pullRegistries = registries.problems.join("; ");
  next.buildNetwork = input.buildNetwork;
  next.hostNetworkOnHubMachine = input.hostNetworkOnHubMachine;
  writePath(next, "debug.enabled", input.debugEnabled);
  for (const f of NUMBER_FIELDS) {
    const raw = (input.numbers[f.path] ?? "").trim();
    const v = Number(raw);
    if (!raw || !Number.isFinite(v) || v < 0) errors[f.path] = "a number";
    else writePath(next, f.path, Math.round(v * f.factor));
  }
  if (Object.keys(errors).length) throw validation("check the highlighted fields", errors);
  return updatePolicySettings(viewer, next);
});

/** The policy page's settings form: base images, image aliases, pull registries, build networking and limits, run limits, argument caps, file caps, the unsafe host-network setting. */
export async function updatePolicySettingsAction(_prev: PolicySettingsState, data: FormData): Promise<PolicySettingsState> {
  const numbers: Record<string, string> = {};
  for (const f of NUMBER_FIELDS) numbers[f.path] = String(data.get(f.path) ?? "");
  const res = await save({
    baseImages: data.get("baseImages") ?? "",
    imageAliases: data.get("imageAliases") ?? "",
    pullRegistries: data.get("pullRegistries") ?? "",
    buildNetwork: data.get("buildNetwork") ?? "",
    hostNetworkOnHubMachine: data.get("hostNetworkOnHubMachine") === "on",
    debugEnabled: data.get("debug.enabled") === "on",
    numbers,
  });
  if (!res.ok) {
    const errors: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.fieldErrors ?? {})) errors[k.replace(/^numbers\./, "")] = v;
    return { status: "error", message: res.error, errors };
  }
  revalidatePath("/admin/policy");
  return { status: "saved" };
}
