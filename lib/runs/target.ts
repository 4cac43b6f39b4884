import "server-only";
import { findFunction, type Manifest, type ManifestFunction } from "../../runner/src/index.ts";
import { canViewPackage } from "../access/permissions.ts";
import { AppError, notFound, validation } from "../errors.ts";
import { db } from "../platform/db.ts";
import { getSettings, type HubSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";
import { checkArgs, checkArgSizes, checkArgsInScope } from "./target-args.ts";
import { projectScope } from "../projects/scope.ts";
import type { Scope } from "../../runner/src/scope/rules.ts";
import { resolveArgRefs, type CarriedRefs } from "./arg-refs.ts";

/**
 * Which package version a run or a saved scan names: a version row (the run form, a re-run, a
 * pinned scan), a package's latest (a scan following it, "re-run on the latest"), or `ns.name` and
 * a version string, absent or null for the latest (the API, `lev run`, saving a scan).
 */
export type VersionRef = { versionId: string } | { packageId: string } | { package: string; version?: string | null };

const versionInclude = { package: { include: { namespace: true } } } as const;

/** The version a target runs, with what the run's policy is decided on. */
export type TargetVersion = NonNullable<Awaited<ReturnType<typeof findVersion>>>;

/** What runs: the version, its manifest's function, the arguments as the runtime gets them. */
export interface RunTarget {
  version: TargetVersion;
  /** the version was named (by id or version string), not taken as the package's latest */
  pinned: boolean;
  fn: ManifestFunction;
  args: Record<string, unknown>;
  /** what the typed references in `args` name, by kind (files: upload ids), each one the viewer may use */
  refs: CarriedRefs;
  /** the project's scope the target parameters were checked against; null: unscoped */
  scope: Scope | null;
}

const findVersion = (id: string) => db().packageVersion.findUnique({ where: { id }, include: versionInclude });

function parsePackageName(full: unknown): { ns: string; name: string } {
  const m = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(typeof full === "string" ? full : "");
  if (!m) throw validation("package must look like <namespace>.<name>", { package: "expected <namespace>.<name>" });
  return { ns: m[1], name: m[2] };
}

/** The package a ref names by id or by `ns.name`; null when there is none. */
function findPackage(ref: { packageId: string } | { package: string }) {
  const include = { namespace: true } as const;
  if ("packageId" in ref) return db().package.findUnique({ where: { id: ref.packageId }, include });
  const { ns, name } = parsePackageName(ref.package);
  return db().package.findFirst({ where: { name, namespace: { name: ns } }, include });
}

/** A version its publisher deleted runs no more (its runs stay, lib/packages/deletion.ts). */
const deleted = (v: { version: string; package: { name: string; namespace: { name: string } } }) =>
  new AppError("not_found", `version ${v.version} of ${v.package.namespace.name}.${v.package.name} was deleted by its publisher`, { fieldErrors: { version: "deleted" } });

/** The version `ref` names as the viewer sees it: what they may not see is missing (404), like what does not exist. */
async function resolveVersion(viewer: Viewer, ref: VersionRef): Promise<{ version: TargetVersion; pinned: boolean }> {
  if ("versionId" in ref) {
    const version = await findVersion(ref.versionId);
    if (!version || !canViewPackage(viewer, version.package)) throw notFound("package version");
    if (version.deletedAt) throw deleted(version);
    return { version, pinned: true };
  }
  const pkg = await findPackage(ref);
  if (!pkg || !canViewPackage(viewer, pkg)) throw notFound("package" in ref ? `package ${ref.package}` : "package");
  const label = `${pkg.namespace.name}.${pkg.name}`;
  const wanted = "package" in ref ? ref.version : null;
  if (wanted) {
    const version = await db().packageVersion.findUnique({ where: { packageId_version: { packageId: pkg.id, version: wanted } }, include: versionInclude });
    if (!version) throw new AppError("not_found", `version ${wanted} of ${label} not found`, { fieldErrors: { version: "no such version" } });
    if (version.deletedAt) throw deleted(version);
    return { version, pinned: true };
  }
  const latest = pkg.latestVersionId ? await findVersion(pkg.latestVersionId) : null;
  if (!latest) throw notFound(`a published version of ${label}`);
  return { version: latest, pinned: false };
}

/**
 * The one path from (viewer, package version, function, arguments) to what runs, for runs,
 * re-runs and saved scans (saved, edited, fired) alike: the arguments' shape and size first
 * (before any lookup), then the version as the viewer sees it, the function of its manifest, and
 * the arguments by the runner's `validateArgs`, then the typed references in them (files, secrets)
 * as the viewer may use them in the run's project (arg-refs.ts), then the target parameters against
 * the project's scope (`projectId`). Every failure is an
 * AppError; field errors are `package`, `version`, `function`, `args` and `args.<parameter>`.
 */
export async function resolveRunTarget(
  viewer: Viewer,
  /** `projectId`: the project the run (or scan) belongs to, where its references are used and its scope applies */
  input: { ref: VersionRef; function: string; args: unknown; projectId: string },
  settings?: HubSettings,
): Promise<RunTarget> {
  const raw = checkArgSizes(input.args ?? {}, (settings ?? (await getSettings())).args);
  const { version, pinned } = await resolveVersion(viewer, input.ref);
  const fn = findFunction(version.manifest as unknown as Manifest, input.function);
  if (!fn) {
    throw validation(`${version.package.namespace.name}.${version.package.name} ${version.version} has no function '${input.function}'`, { function: "unknown function" });
  }
  const args = checkArgs(fn, raw);
  const scope = await projectScope(input.projectId);
  if (scope) checkArgsInScope(fn, args, scope);
  return { version, pinned, fn, args, refs: await resolveArgRefs(viewer, args, { projectId: input.projectId }), scope };
}
