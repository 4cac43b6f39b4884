import "server-only";
import { findFunction, ParamValidationError, validateArgs, type Manifest } from "../../runner/src/index.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound, validation } from "../errors.ts";
import { canViewPackage } from "../access/permissions.ts";
import { oversizedArgs } from "../policy/run-policy.ts";
import { getSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";

/** What a scan runs, checked exactly as a run would be (function of the manifest, `validateArgs`). */
export interface ScanTarget {
  packageId: string;
  /** null = the package's latest version when the scan fires */
  versionId: string | null;
  /** the version the function and arguments were checked against (the pinned one, or today's latest) */
  checkedVersionId: string;
  function: string;
  args: Record<string, unknown>;
}

export function parsePackageName(full: string): { ns: string; name: string } {
  const m = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(typeof full === "string" ? full : "");
  if (!m) throw validation("package must look like <namespace>.<name>", { package: "expected <namespace>.<name>" });
  return { ns: m[1], name: m[2] };
}

/**
 * Resolves `ns.name` (+ version, null/absent = follow the latest) as the viewer sees it and checks
 * the function and arguments against that version's manifest. Invisible packages are missing (404).
 */
export async function resolveTarget(
  viewer: Viewer,
  input: { package: string; version?: string | null; function: string; args: Record<string, unknown> },
): Promise<ScanTarget> {
  const { ns, name } = parsePackageName(input.package);
  const pkg = await db().package.findFirst({
    where: { name, namespace: { name: ns } },
    include: { namespace: true, versions: { select: { id: true, version: true } } },
  });
  if (!pkg || !canViewPackage(viewer, pkg)) throw notFound(`package ${input.package}`);
  const pinned = input.version ? pkg.versions.find((v) => v.version === input.version) : null;
  if (input.version && !pinned) throw new AppError("not_found", `version ${input.version} of ${input.package} not found`, { fieldErrors: { version: "no such version" } });
  const checkedVersionId = pinned?.id ?? pkg.latestVersionId;
  if (!checkedVersionId) throw notFound(`a published version of ${input.package}`);
  const checked = await checkArgs(viewer, checkedVersionId, input.function, input.args, input.package);
  return { packageId: pkg.id, versionId: pinned?.id ?? null, checkedVersionId, ...checked };
}

/** The function's qualified name and the arguments as `validateArgs` returns them; field errors keyed by parameter. */
export async function checkArgs(
  viewer: Viewer,
  versionId: string,
  fnName: string,
  rawArgs: Record<string, unknown>,
  label: string,
): Promise<{ function: string; args: Record<string, unknown> }> {
  if (!rawArgs || typeof rawArgs !== "object" || Array.isArray(rawArgs)) throw validation("args must be an object of parameter values", { args: "expected an object" });
  const oversized = oversizedArgs(rawArgs, (await getSettings()).args);
  if (Object.keys(oversized).length) throw new AppError("too_large", "an argument is too large", { fieldErrors: oversized });
  const version = await db().packageVersion.findUnique({ where: { id: versionId }, select: { manifest: true, version: true } });
  if (!version) throw notFound("package version");
  const fn = findFunction(version.manifest as unknown as Manifest, fnName);
  if (!fn) throw validation(`${label} ${version.version} has no function '${fnName}'`, { function: "unknown function" });
  try {
    return { function: fn.qualified, args: validateArgs(fn, rawArgs) };
  } catch (err) {
    if (err instanceof ParamValidationError) {
      throw validation("check the highlighted fields", Object.fromEntries(Object.entries(err.errors).map(([k, v]) => [`args.${k}`, v])));
    }
    throw err;
  }
}
