import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { ContainerEngine } from "./engine.ts";
import { createLabels } from "./labels.ts";
import { locatePackage } from "./package.ts";
import { DEFAULT_WORKFLOW_IMAGE, RUNTIME_DIR } from "./runner.ts";

export interface ManifestParam {
  name: string;
  type: string;
  required: boolean;
  default: unknown;
  desc: string | null;
  holder: string | null;
}

export interface ManifestCat {
  key: string;
  id?: string;
  label: string;
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
}

export interface ManifestTool {
  name: string;
  module: string;
  desc: string;
  doc: string;
  facts: Record<string, string>;
  modes: ManifestFunction[];
}

export interface ManifestProblem {
  level: "error" | "warning";
  where: string;
  message: string;
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
  problems: ManifestProblem[];
}

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
  opts: { image?: string; timeoutMs?: number; runtimeDir?: string; instance?: string } = {},
): Promise<Manifest> {
  const pkg = locatePackage(packageDir);
  const id = `introspect-${randomBytes(4).toString("hex")}`;
  const chunks: { stream: string; data: Buffer }[] = [];
  const cid = await engine.create({
    name: `lev-${id}`,
    image: opts.image ?? DEFAULT_WORKFLOW_IMAGE,
    // a real instance (host:pid) so a reaper can tell a crashed introspection from a live one
    labels: createLabels(opts.instance ?? `${hostname()}:${process.pid}:introspect`, id, "introspect"),
    entrypoint: ["python3", "-m", "levrt.introspect", "/lev/pkg"],
    cmd: [],
    env: ["PYTHONPATH=/lev/rt:/lev/pkg", "PYTHONDONTWRITEBYTECODE=1"],
    user: "65534:65534",
    workingDir: "/lev/pkg",
    binds: [`${opts.runtimeDir ?? RUNTIME_DIR}:/lev/rt:ro`, `${pkg.dir}:/lev/pkg:ro`],
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
    readOnlyRoot: true,
    network: "none",
    capAdd: [],
    limits: { memoryBytes: 256 * 1024 * 1024, nanoCpus: 1e9, pids: 64 },
    init: true,
  });
  let timedOut = false;
  try {
    await engine.attach(cid, (stream, data) => chunks.push({ stream, data }));
    await engine.start(cid);
    const timer = setTimeout(() => {
      timedOut = true;
      void engine.kill(cid, "SIGKILL");
    }, opts.timeoutMs ?? 30_000);
    const code = await engine.wait(cid);
    clearTimeout(timer);
    await new Promise((r) => setImmediate(r));
    const stdout = Buffer.concat(chunks.filter((c) => c.stream === "stdout").map((c) => c.data)).toString("utf8");
    const stderr = Buffer.concat(chunks.filter((c) => c.stream === "stderr").map((c) => c.data)).toString("utf8");
    if (timedOut) throw new IntrospectionError("introspection took too long and was stopped (importing the package must be quick)", stderr);
    if (code !== 0) throw new IntrospectionError(`introspection exited with code ${code}: ${stderr.trim().split("\n").at(-1) ?? ""}`, stderr);
    try {
      return JSON.parse(stdout) as Manifest;
    } catch {
      throw new IntrospectionError("introspection printed no manifest (does the package print to stdout on import?)", stdout + stderr);
    }
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
