import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { helperSandbox } from "../policy/container-config.ts";
import { checkDependencies, dependencyBinds, pythonPath } from "../package/dependencies.ts";
import type { ContainerEngine } from "../engine/engine.ts";
import { createLabels } from "../engine/labels.ts";
import { locatePackage } from "../package/package.ts";
import { DEFAULT_WORKFLOW_IMAGE, RUNTIME_DIR } from "../run/runner.ts";
import type { PackageDependency } from "../types.ts";
import type { TargetKind } from "../scope/rules.ts";

export interface ManifestParam {
  name: string;
  type: string;
  required: boolean;
  default: unknown;
  desc: string | null;
  holder: string | null;
  /** a target parameter (`annot.Param(kind=…)`): its values are checked against the project's scope; absent: no target */
  kind?: TargetKind;
}

export interface ManifestCat {
  key: string;
  id?: string;
  label: string;
}

/**
 * What code visibly asks for, read from the source (nothing runs): `Cr(host=True)`, `caps=[…]`,
 * image names, `services=`, `ports=`. Shown to users next to what an admin granted; the runner's
 * check at task start is the boundary, this is the declaration.
 */
export interface ManifestPrivileges {
  hostNetwork: boolean;
  caps: string[];
  images: string[];
  services: boolean;
  ports: number[];
}

export interface ManifestFunction {
  name: string;
  qualified: string;
  module: string;
  kind: "mode" | "workflow";
  desc: string;
  description: string;
  example: string | null;
  doc: string;
  params: ManifestParam[];
  cats: { attck: ManifestCat[]; blackarch: ManifestCat[] };
  tags: string[];
  /** what this function asks for (its module's `Cr(...)` calls it reaches); absent in older manifests */
  privileges?: ManifestPrivileges;
  /**
   * `annot.meta(retries=N)`: a run whose worker was lost is queued again up to N times. Absent in
   * older manifests and Leviathan packages: read it with `functionRetries`.
   */
  retries?: number;
}

/** The most retries a function may ask for (levrt's `annot.MAX_RETRIES`). */
export const MAX_FUNCTION_RETRIES = 5;

/**
 * The retries a function asked for, 0 unless the manifest says a whole number within the limit:
 * a manifest is printed by a container that imported package code, so it is read as untrusted.
 */
export function functionRetries(f: Pick<ManifestFunction, "retries">): number {
  const r = f.retries;
  return typeof r === "number" && Number.isInteger(r) && r >= 0 && r <= MAX_FUNCTION_RETRIES ? r : 0;
}

export interface ManifestTool {
  name: string;
  module: string;
  desc: string;
  doc: string;
  facts: Record<string, string>;
  /**
   * The tool module's own `__lev__ = annot.meta([...], cats=…, tags=[…])`: every mode of the tool
   * inherits them in the catalog unless it declares its own. Absent in the oldest manifests.
   */
  cats?: { attck: ManifestCat[]; blackarch: ManifestCat[] };
  tags?: string[];
  modes: ManifestFunction[];
}

/**
 * Which fields identify the documents of a schema and the items of their arrays (`annot.Keys`):
 * `target`, `hosts[].ip`, `hosts[].ports[].port`. The hub's comparison of two runs reads them.
 */
export interface ManifestKeys {
  /** the full schema name, `<ns>/<name>.<mode>@<major>.<minor>` */
  schema: string;
  paths: string[];
  /** fields a comparison leaves out (`hosts[].os`); absent when the package ignores none */
  ignore?: string[];
}

export const PROBLEM_SEVERITIES = ["error", "warning"] as const;

/**
 * One problem introspection found. An error refuses an upload; a warning is kept in the manifest
 * (`warnings`) and shown on the package page. `code` is one of levrt's `introspect.PROBLEM_CODES`
 * (runner/python/levrt/introspect.py), `unclassified` in manifests older than codes.
 */
export const manifestProblemSchema = z.object({
  severity: z.enum(PROBLEM_SEVERITIES),
  where: z.string().max(1000),
  code: z.string().regex(/^[a-z][a-z-]{0,39}$/),
  message: z.string().max(20_000),
});
export type ManifestProblem = z.infer<typeof manifestProblemSchema>;

/**
 * A manifest's problems as they are stored or printed (untrusted: a container that imported package
 * code printed them): this shape, or older manifests' `{level, where, message}`; anything else is
 * an error problem saying so, so a broken list never passes for a clean one.
 */
export function readProblems(raw: unknown): ManifestProblem[] {
  if (!Array.isArray(raw)) return raw === undefined ? [] : [{ severity: "error", where: "introspection", code: "introspection-failed", message: "the manifest's problems are not a list" }];
  return raw.map((p) => {
    const legacy = p && typeof p === "object" && "level" in p && !("severity" in p) ? { severity: p.level, code: "unclassified", ...p } : p;
    const r = manifestProblemSchema.safeParse(legacy);
    return r.success
      ? { severity: r.data.severity, where: r.data.where, code: r.data.code, message: r.data.message }
      : { severity: "error" as const, where: "introspection", code: "introspection-failed", message: `a malformed problem: ${JSON.stringify(p).slice(0, 200)}` };
  });
}

/** The warnings a stored manifest kept: `warnings`, or in older manifests the warning problems. */
export function manifestWarnings(m: { warnings?: unknown; problems?: unknown }): ManifestProblem[] {
  return readProblems(m.warnings ?? m.problems).filter((p) => p.severity === "warning");
}

export interface Manifest {
  package: string;
  namespace: string;
  name: string;
  version: string | null;
  desc: string;
  doc: string;
  cats: { attck: ManifestCat[]; blackarch: ManifestCat[] };
  tags: string[];
  tools: ManifestTool[];
  modes: ManifestFunction[];
  workflows: ManifestFunction[];
  images: string[];
  /** what the package's code asks for anywhere (the union); absent in older manifests */
  privileges?: ManifestPrivileges;
  /** key paths per schema; absent in older manifests and for packages that declare none */
  keys?: ManifestKeys[];
  problems: ManifestProblem[];
  /** the warnings among `problems` (a published version has no errors); absent in older manifests */
  warnings?: ManifestProblem[];
}

/** The largest manifest read from an introspection container; more is refused, never buffered. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** stderr kept for error messages (the tail) */
const MAX_STDERR_BYTES = 64 * 1024;

export class IntrospectionError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = "IntrospectionError";
  }
}

/**
 * Reads a package's manifest by importing it inside a sandbox container (no network, read-only,
 * unprivileged, memory/pids/time limits): package code never runs in the caller's process.
 */
export async function introspect(
  engine: ContainerEngine,
  packageDir: string,
  opts: {
    image?: string;
    timeoutMs?: number;
    runtimeDir?: string;
    instance?: string;
    maxManifestBytes?: number;
    /** the pinned dependency closure, mounted as in a run so the package's imports of them work */
    dependencies?: PackageDependency[];
  } = {},
): Promise<Manifest> {
  const pkg = locatePackage(packageDir);
  const deps = opts.dependencies ?? [];
  const badDependency = checkDependencies(deps, pkg);
  if (badDependency) throw new IntrospectionError(badDependency, "");
  const id = `introspect-${randomBytes(4).toString("hex")}`;
  const maxManifest = opts.maxManifestBytes ?? MAX_MANIFEST_BYTES;
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr: Buffer = Buffer.alloc(0);
  let tooLarge = false;
  const cid = await engine.create({
    name: `lev-${id}`,
    image: opts.image ?? DEFAULT_WORKFLOW_IMAGE,
    // a real instance (host:pid) so a reaper can tell a crashed introspection from a live one
    labels: createLabels(opts.instance ?? `${hostname()}:${process.pid}:introspect`, id, "introspect"),
    entrypoint: ["python3", "-m", "levrt.introspect", "/lev/pkg"],
    cmd: [],
    env: [`PYTHONPATH=${pythonPath(deps)}`, "PYTHONDONTWRITEBYTECODE=1"],
    workingDir: "/lev/pkg",
    binds: [`${opts.runtimeDir ?? RUNTIME_DIR}:/lev/rt:ro`, `${pkg.dir}:/lev/pkg:ro`, ...dependencyBinds(deps)],
    ...helperSandbox(),
  });
  let timedOut = false;
  try {
    await engine.attach(cid, (stream, data) => {
      if (stream === "stderr") {
        stderr = Buffer.concat([stderr, data]);
        if (stderr.length > MAX_STDERR_BYTES) stderr = stderr.subarray(stderr.length - MAX_STDERR_BYTES);
        return;
      }
      if (tooLarge) return;
      stdoutBytes += data.length;
      if (stdoutBytes > maxManifest) {
        // stop reading and stop the container: a package controls how much it prints
        tooLarge = true;
        stdout.length = 0;
        void engine.kill(cid, "SIGKILL");
        return;
      }
      stdout.push(data);
    });
    await engine.start(cid);
    const timer = setTimeout(() => {
      timedOut = true;
      void engine.kill(cid, "SIGKILL");
    }, opts.timeoutMs ?? 30_000);
    const code = await engine.wait(cid);
    clearTimeout(timer);
    await new Promise((r) => setImmediate(r));
    const errText = stderr.toString("utf8");
    if (tooLarge) {
      const cap = maxManifest >= 1048576 ? `${Math.round((maxManifest / 1048576) * 10) / 10} MiB` : `${maxManifest} bytes`;
      throw new IntrospectionError(`the manifest is larger than ${cap} (fewer or shorter docstrings, defaults and exports)`, errText);
    }
    const outText = Buffer.concat(stdout).toString("utf8");
    if (timedOut) throw new IntrospectionError("introspection took too long and was stopped (importing the package must be quick)", errText);
    if (code !== 0) throw new IntrospectionError(`introspection exited with code ${code}: ${errText.trim().split("\n").at(-1) ?? ""}`, errText);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(outText) as Manifest;
    } catch {
      throw new IntrospectionError("introspection printed no manifest (does the package print to stdout on import?)", outText.slice(0, MAX_STDERR_BYTES) + errText);
    }
    if (!manifest || typeof manifest !== "object") throw new IntrospectionError("introspection printed something that is not a manifest", outText.slice(0, MAX_STDERR_BYTES));
    manifest.problems = readProblems(manifest.problems);
    manifest.warnings = manifest.problems.filter((p) => p.severity === "warning");
    return manifest;
  } finally {
    await engine.remove(cid);
  }
}

/** A function by the names users type: `server_port`, `nmap.alive`, or `alive` when unambiguous. */
export function findFunction(manifest: Manifest, name: string): ManifestFunction | undefined {
  const all = [...manifest.workflows, ...manifest.modes, ...manifest.tools.flatMap((t) => t.modes)];
  const exact = all.find((f) => f.qualified === name || f.name === name && f.kind === "workflow");
  if (exact) return exact;
  const byName = all.filter((f) => f.name === name);
  const unique = new Map(byName.map((f) => [f.qualified, f]));
  return unique.size === 1 ? [...unique.values()][0] : undefined;
}

export function listFunctions(manifest: Manifest): string[] {
  return [...new Set([...manifest.workflows, ...manifest.modes, ...manifest.tools.flatMap((t) => t.modes)].map((f) => f.qualified))];
}
