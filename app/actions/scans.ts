"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { ScanActionState } from "../../components/scan-run-controls.tsx";
import type { RunFormState } from "../../components/run-form.tsx";
import { safeAction, type ActionResult } from "../../lib/actions/safe-action.ts";
import { runScanNow } from "../../lib/scans/fire.ts";
import { saveRunAsScan } from "../../lib/scans/rerun.ts";
import { createScan, deleteScan, updateScan } from "../../lib/scans/scans.ts";
import { createScanBodySchema, editScanInputSchema, saveRunAsScanInputSchema, scanRefInputSchema, setScanEnabledInputSchema } from "../../lib/schemas/scans.ts";
import { formFieldErrors, withFieldErrors } from "../../lib/runs/target-args.ts";
import { runFormArgs } from "../../components/run-form-fields.ts";

const saveRun = safeAction(saveRunAsScanInputSchema, (input, viewer) => saveRunAsScan(viewer, input));
const saveForm = safeAction(createScanBodySchema, (input, viewer) => createScan(viewer, input));
const runNow = safeAction(scanRefInputSchema, (input, viewer) => runScanNow(viewer, input.scanId));
const setEnabled = safeAction(setScanEnabledInputSchema, (input, viewer) => updateScan(viewer, input.scanId, { enabled: input.enabled }));
const remove = safeAction(scanRefInputSchema, (input, viewer) => deleteScan(viewer, input.scanId));
const edit = safeAction(editScanInputSchema, (input, viewer) => updateScan(viewer, input.scanId, input.patch));

/** the fields of the scan forms that show their own errors */
const SCAN_FIELDS = ["name", "cron", "timezone"];

const text = (data: FormData, key: string): string => {
  const v = data.get(key);
  return typeof v === "string" ? v : "";
};

function failed(res: Extract<ActionResult<unknown>, { ok: false }>, data?: FormData): ScanActionState {
  const errors = res.fieldErrors ?? {};
  const known = Object.keys(errors).filter((k) => SCAN_FIELDS.includes(k));
  // errors about the run's arguments (`args.x`) are named in the message: the fields here are the scan's
  const message = known.length === Object.keys(errors).length && known.length ? "check the highlighted fields" : withFieldErrors(res.error, Object.fromEntries(Object.entries(errors).filter(([k]) => !SCAN_FIELDS.includes(k))));
  const values = data ? Object.fromEntries(["scanName", "cron", "timezone", "pinVersion"].map((k) => [k, text(data, k)])) : undefined;
  return { error: message, errors, saved: null, values };
}

/** "Save as scan" on a run page. */
export async function saveRunAsScanAction(runId: string, _prev: ScanActionState, data: FormData): Promise<ScanActionState> {
  const res = await saveRun({ runId, name: text(data, "scanName"), cron: text(data, "cron"), timezone: text(data, "timezone") || undefined, pinVersion: data.get("pinVersion") === "true" });
  if (!res.ok) return failed(res, data);
  revalidatePath("/scans");
  return { error: null, errors: {}, saved: { id: res.data.id, name: res.data.name } };
}

/** "Save as scan" on the run form: the form's values (as text, checked by lib like a run's) under a name and schedule. */
export async function saveFormAsScanAction(pkg: string, version: string | null, fn: string, _prev: ScanActionState, data: FormData): Promise<ScanActionState> {
  const args = runFormArgs(data, { keepBlank: false });
  const res = await saveForm({ name: text(data, "scanName"), package: pkg, version, function: fn, args, cron: text(data, "cron"), timezone: text(data, "timezone") || undefined });
  if (!res.ok) return failed(res, data);
  revalidatePath("/scans");
  return { error: null, errors: {}, saved: { id: res.data.id, name: res.data.name } };
}

/** A scan's "Run now": goes to the new run. */
export async function runScanNowAction(_prev: ScanActionState, data: FormData): Promise<ScanActionState> {
  const res = await runNow({ scanId: text(data, "scanId") });
  if (!res.ok) return failed(res);
  redirect(`/runs/${res.data.id}`);
}

export async function setScanEnabledAction(_prev: ScanActionState, data: FormData): Promise<ScanActionState> {
  const res = await setEnabled({ scanId: text(data, "scanId"), enabled: text(data, "enabled") === "true" });
  if (!res.ok) return failed(res);
  revalidatePath("/scans");
  revalidatePath(`/scans/${res.data.id}`);
  return { error: null, errors: {}, saved: null };
}

export async function deleteScanAction(_prev: ScanActionState, data: FormData): Promise<ScanActionState> {
  const res = await remove({ scanId: text(data, "scanId") });
  if (!res.ok) return failed(res);
  revalidatePath("/scans");
  redirect("/scans");
}

/** The form's argument fields as the run form sends them (text, and file references), checked by lib like a run's. */
const formArgs = (data: FormData) => runFormArgs(data, { keepBlank: false });

/**
 * A scan's edit form: its name, version (empty: always the latest), function, arguments, schedule
 * and time zone, as `PATCH /api/scans/{id}` takes them — checked by lib the one way runs are
 * (resolveRunTarget) and every schedule problem at once. Saved: back to the scan's page.
 */
export async function editScanAction(scanId: string, _prev: RunFormState, data: FormData): Promise<RunFormState> {
  const version = text(data, "version");
  const res = await edit({
    scanId,
    patch: { name: text(data, "scanName"), version: version || null, function: text(data, "function"), args: formArgs(data), cron: text(data, "cron"), timezone: text(data, "timezone") || "UTC" },
  });
  if (!res.ok) {
    // the arguments' errors beside their fields (`args.x` → `x`), the scan's beside its own under `scan.` (a parameter may be
    // called `name` too); `patch.name` from the schema is the scan's `name`
    const keyed = Object.entries(res.fieldErrors ?? {}).map(([k, v]) => {
      const key = k.replace(/^patch\./, "");
      return [key === "args" || key.startsWith("args.") ? key : `scan.${key}`, v] as const;
    });
    const errors = formFieldErrors(Object.fromEntries(keyed));
    const values = Object.fromEntries(["scanName", "version", "cron", "timezone"].map((k) => [k, text(data, k)]));
    return { errors, message: Object.keys(errors).length ? null : res.error, values };
  }
  revalidatePath("/scans");
  revalidatePath(`/scans/${res.data.id}`);
  redirect(`/scans/${res.data.id}`);
}
