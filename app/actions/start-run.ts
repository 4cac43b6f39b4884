"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { RunFormState } from "../../components/run-form.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { startRun } from "../../lib/runs/index.ts";
import { formFieldErrors } from "../../lib/runs/target-args.ts";
import { runFormArgs } from "../../components/run-form-fields.ts";

const startRunInput = z.object({
  versionId: z.string().min(1),
  function: z.string().min(1).max(200),
  // sizes are lib's to judge (settings.args), so an oversized value gets its field-named 413; a
  // file parameter's value is a reference to a file uploaded first, which lib checks like any
  args: z.record(z.string(), z.union([z.string().max(16 * 1024 * 1024), z.object({ $lev: z.literal("file"), id: z.string().max(64) })])),
  /** "Run on": one of the viewer's devices by name; empty: the hub's workers */
  device: z.string().max(64).optional(),
  /** "Pause before entry" (a checkbox) */
  debugPause: z.boolean().optional(),
  /** "Project": a slug; empty: the viewer's personal project */
  project: z.string().max(64).optional(),
});

const start = safeAction(startRunInput, (input, viewer) => startRun(viewer, input));

/**
 * Starts a run from the launch form. The values go to lib as the form's text (a file parameter's as
 * the reference to the file the form uploaded); lib validates them against the function's
 * parameters with the runner's `validateArgs` (the same check the browser ran) and answers field
 * errors keyed `args.<parameter>`, starting nothing; the form shows them by parameter name.
 */
export async function startRunAction(versionId: string, fn: string, _prev: RunFormState, data: FormData): Promise<RunFormState> {
  const args = runFormArgs(data, { keepBlank: true });
  const device = data.get("device");
  const project = data.get("project");
  const debugPause = data.get("debugPause") === "on";
  const res = await start({
    versionId, function: fn, args,
    ...(typeof device === "string" && device ? { device } : {}),
    ...(typeof project === "string" && project ? { project } : {}),
    ...(debugPause ? { debugPause } : {}),
  });
  if (!res.ok) {
    const errors = formFieldErrors(res.fieldErrors);
    // the run's place (its project's window, a device) is no parameter field: the form says it above the fields
    const aboutPlace = "project" in errors || "device" in errors;
    return { errors, message: aboutPlace || !Object.keys(errors).length ? res.error : null };
  }
  redirect(`/runs/${res.data.id}`);
}
