/**
 * What a container of a run may be, as pure functions of the request, the run's policy and a few
 * runtime facts (names, host directories, the run's network). This is the boundary: nothing
 * else grants a privilege, and every branch is unit-tested (container-config.test.ts).
 */
import { dependencyBinds, isolatedEnv, pythonPath } from "../package/dependencies.ts";
import type { ContainerSpec } from "../engine/engine.ts";
import { createLabels } from "../engine/labels.ts";
import { GRANTABLE_CAPS, type ImagePolicy, type MacvlanSegment, type RunPolicy } from "./policy.ts";
import { networkOf } from "./network.ts";
import { GRANT_HINT, policyDenied, type ConfigResult } from "./refusal.ts";

export { policyDenied, type ConfigResult } from "./refusal.ts";
export { networkOf, segmentNetwork } from "./network.ts";
import type { CrSpec } from "../channel/spec.ts";
import type { PackageDependency, RunError } from "../types.ts";
import { SECRETS_ENV } from "../secrets/env.ts";

/** The unprivileged user every container runs as, unless a granted capability needs root. */
export const NOBODY = "65534:65534";
export const NOBODY_UID = 65534;
export const CHANNEL_IN_CONTAINER = "/lev/chan/lev.sock";


/** The runner's facts about one run that every container of it shares. */
export interface RunFacts {
  runId: string;
  owner: string;
  instance: string;
  job: number;
  /** `lev.<ns>.<name>` */
  pkgModule: string;
  /** host paths the Docker engine can see */
  pkgDir: string;
  runtimeDir: string;
  /** the run's own network: services, tasks with services or links, linked tasks */
  runNetwork: string;
  workflowImage: string;
  /** the pinned dependency closure, mounted read-only at /lev/deps/<ns>.<name> */
  deps: readonly PackageDependency[];
  /**
   * The engine's machine runs the hub (or its database): a `host` grant is refused there unless the
   * policy says the admin allowed it (`hostNetworkOnHubMachine`). Unknown counts as true.
   */
  hubMachine?: boolean;
}

/** The facts about one tool or service container. */
export interface ContainerFacts {
  name: string;
  role: "tool" | "service";
  task: number;
  /** runner-owned host directory holding this container's channel socket, mounted read-only */
  chanDir: string;
  /** `files=` already written by the runner: host file → container path, each mounted read-only */
  files: { host: string; target: string }[];
  aliases: string[];
  /** docker links (`<container>:<alias>`) and extra hosts (`alias:ip`) resolved from `links=` */
  links: string[];
  extraHosts: string[];
  /** the runner's default per-task limit; `Cr(timeout=…)` may ask for less */
  taskTimeoutMs: number;
  /**
   * `ns.name` of the dependency whose verified grant this task runs under: the run's package is
   * then not mounted, and no package directory is on the Python path (package/dependencies.ts)
   */
  isolatedFor?: string;
  /**
   * secret id → the env variable its Cr forwards it in (secrets/env.ts); the container gets this
   * map (ids and names, never values) as LEV_SECRETS so `levrt.Secret.value()` finds its value
   */
  secrets?: Record<string, string>;
}

export interface ToolContainerPlan {
  spec: ContainerSpec;
  timeoutMs: number;
  /** the container shares the host's network (ports are probed on 127.0.0.1) */
  hostMode: boolean;
  /** the LAN segment whose macvlan network (`spec.network`) must exist before the container is created */
  segment?: MacvlanSegment;
}


/**
 * An image id as Leviathan's guide has authors write it after `docker build` (`Cr("86cf12987")`),
 * or Docker's `sha256:…`: it names an image on one engine only, so it is never pulled, and resolves
 * only through an admin's alias (or, for `lev exec`, the local engine).
 */
export function isImageId(ref: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(ref) || /^[0-9a-f]{9,64}$/.test(ref);
}

/**
 * One message whether the image is missing, private to someone else, or not allowed; what it adds
 * depends only on the reference's form (a package's image, an image id), never on what exists.
 */
export function imageNotAvailable(ref: string): RunError {
  let why = "";
  if (ref.startsWith(".")) {
    const pkg = ref.slice(1).split(":")[0];
    why = `: it names the image built from the Dockerfile of package ${pkg}, and no version of ${pkg} this run may use has one`;
  } else if (isImageId(ref)) {
    why = ": it is an image id, which names an image on one Docker engine only; an admin can alias it to an image of this hub (Admin → Policy → image aliases)";
  }
  return { type: "ImageNotFound", message: `image '${ref}' is not available to this run${why}` };
}

/**
 * The registry a reference would be pulled from: its first component when that names a host
 * (`127.0.0.1:5000/x/y`, `ghcr.io/x`, `localhost/x`), else Docker Hub, "docker.io".
 */
export function registryOf(ref: string): string {
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  if (first && (first.includes(".") || first.includes(":") || first === "localhost")) return first.toLowerCase();
  return "docker.io";
}

const PULLABLE = /^[a-z0-9][a-z0-9._:/-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

/** A reference this run may pull when the engine lacks it: its registry is listed (never a digest or an id). */
export function mayPull(ref: string, images: ImagePolicy): boolean {
  if (!images.pull?.length || ref.startsWith(".") || ref.startsWith("sha256:") || isImageId(ref) || ref.includes("@") || !PULLABLE.test(ref)) return false;
  return images.pull.map((r) => r.toLowerCase()).includes(registryOf(ref));
}

/**
 * The image a reference names under `images`, or null when this run may not use it. An admin's
 * alias comes first (its target is trusted: the admin chose it; it must still exist). `.ns.name:tag`
 * is a package's image (any tag) and only resolves through `refs`; other names resolve through
 * `refs` (exact), the admin's base images, a listed pull registry (never an image id), or, with
 * `any`, whatever the engine has.
 */
export function resolveImage(ref: string, images: ImagePolicy): string | null {
  if (images.aliases && Object.hasOwn(images.aliases, ref)) return images.aliases[ref];
  if (ref.startsWith(".")) {
    const key = ref.split(":")[0].toLowerCase();
    return Object.hasOwn(images.refs, key) ? images.refs[key] : null;
  }
  if (Object.hasOwn(images.refs, ref)) return images.refs[ref];
  if (images.base.includes(ref)) return ref;
  if (mayPull(ref, images)) return ref;
  return images.any ? ref : null;
}

/**
 * What a pulled (or pull-listed) reference is pinned to for the rest of the run: its digest from
 * the same repository when the engine has one, else the image id. Every task then runs the same bytes.
 */
export function pinnedRef(ref: string, info: { id: string; repoDigests: string[] }): string {
  const repo = ref.replace(/:[^/:]+$/, "");
  // Docker Hub names have several spellings: alpine, library/alpine, docker.io/library/alpine
  const hub = registryOf(ref) === "docker.io" && !ref.startsWith("docker.io/");
  const full = hub && !repo.includes("/") ? `library/${repo}` : repo;
  const candidates = hub ? [repo, full, `docker.io/${full}`] : [repo];
  const digest = info.repoDigests.find((d) => candidates.includes(d.slice(0, d.indexOf("@"))));
  return digest ?? info.id;
}

/**
 * The capabilities a Cr receives. Each one asked for by `caps=` must be granted; `host=True`
 * asks for NET_RAW implicitly, and without a grant the tool then simply runs unprivileged.
 */
export function grantedCaps(cr: CrSpec, policy: RunPolicy): ConfigResult<string[]> {
  const granted = new Set<string>(policy.caps);
  const caps: string[] = [];
  for (const cap of new Set(cr.caps)) {
    if (!granted.has(cap)) {
      const never = (GRANTABLE_CAPS as readonly string[]).includes(cap)
        ? ""
        : ` (only ${GRANTABLE_CAPS.join(", ")} can ever be granted)`;
      return { ok: false, error: policyDenied(`Cr(caps=['${cap}']): capability ${cap} is not granted to this package${never}; ${GRANT_HINT}`) };
    }
    caps.push(cap);
  }
  if (cr.host && granted.has("NET_RAW") && !caps.includes("NET_RAW")) caps.push("NET_RAW");
  return { ok: true, value: caps };
}

/** Environment every container of the run gets (PROTOCOL.md). */
export function baseEnv(run: RunFacts): string[] {
  return [
    `PYTHONPATH=${pythonPath(run.deps)}`,
    "PYTHONUNBUFFERED=1",
    "PYTHONDONTWRITEBYTECODE=1",
    `LEV_JOB=${run.job}`,
    `LEV_PACKAGE=${run.pkgModule}`,
    `LEV_CHANNEL=${CHANNEL_IN_CONTAINER}`,
  ];
}

function logBytes(policy: RunPolicy): number {
  return policy.limits.dockerLogBytes;
}

/** The configuration of a tool or service container, or why this run may not have it. */
export function toolContainerConfig(
  cr: CrSpec,
  policy: RunPolicy,
  run: RunFacts,
  c: ContainerFacts,
): ConfigResult<ToolContainerPlan> {
  const image = resolveImage(cr.image, policy.images);
  if (image === null) return { ok: false, error: imageNotAvailable(cr.image) };
  const caps = grantedCaps(cr, policy);
  if (!caps.ok) return caps;
  const privileged = caps.value.length > 0;
  // The run's own network (name resolution between its containers) costs docker an embedded DNS
  // set-up per container, so unprivileged containers join it only when they need names; the
  // others use the default bridge, where setup runs dockerd with --icc=false: outbound only.
  const net = networkOf(cr, policy, run, c, privileged);
  if (!net.ok) return net;
  const { network, hostMode, segment } = net.value;
  const { limits } = policy;
  const isolated = c.isolatedFor !== undefined;
  let env = [...cr.env, ...baseEnv(run), "HOME=/tmp", `LEV_TASK=${c.task}`];
  if (isolated) env = [...env.filter((e) => !e.startsWith("PYTHONPATH=")), ...isolatedEnv(run.deps, c.isolatedFor ?? "")];
  if (cr.entry) env.push(`LEV_ENTRY=${JSON.stringify(cr.entry)}`);
  if (c.secrets) env.push(`${SECRETS_ENV}=${JSON.stringify(c.secrets)}`);
  const spec: ContainerSpec = {
    name: c.name,
    image,
    labels: createLabels(run.instance, run.runId, c.role, c.task, run.owner),
    // `-c` rather than `-m`: runpy costs every task a few milliseconds
    entrypoint: cr.entry ? ["python3", "-c", "import sys; from levrt._tool import main; sys.exit(main())"] : undefined,
    cmd: cr.entry ? [] : cr.cmd,
    env,
    // Docker gives a non-root user no effective capabilities: a granted one needs uid 0, with
    // everything else dropped (the engine always drops ALL first)
    user: privileged ? "0:0" : NOBODY,
    binds: [
      `${run.runtimeDir}:/lev/rt:ro`,
      ...(isolated ? [] : [`${run.pkgDir}:/lev/pkg:ro`]),
      `${c.chanDir}:/lev/chan:ro`,
      ...dependencyBinds(run.deps),
      ...c.files.map((f) => `${f.host}:${f.target}:ro`),
    ],
    tmpfs: { "/tmp": `rw,nosuid,nodev,size=${limits.tmpBytes}` },
    readOnlyRoot: true,
    network,
    aliases: c.aliases,
    links: hostMode ? [] : c.links,
    extraHosts: c.extraHosts,
    capAdd: caps.value,
    limits: limits.tool,
    logMaxBytes: logBytes(policy),
    // an image's own program as PID 1 would ignore SIGINT/SIGTERM: docker-init forwards them.
    // levrt's entry bootstrap handles both itself, so entry tasks skip the extra process.
    init: !cr.entry,
  };
  const timeoutMs = Math.min(cr.timeout ? cr.timeout * 1000 : Infinity, c.taskTimeoutMs);
  return { ok: true, value: { spec, timeoutMs, hostMode, ...(segment ? { segment } : {}) } };
}

/**
 * What every short-lived helper container that runs package code for the runner (introspection,
 * the planner) is: no network, no capability, user 65534, read-only with a small /tmp, small
 * limits and log. The caller adds what it runs, with which mounts and environment.
 */
export function helperSandbox(): Pick<
  ContainerSpec,
  "user" | "tmpfs" | "readOnlyRoot" | "network" | "capAdd" | "limits" | "logMaxBytes" | "init"
> {
  return {
    user: NOBODY,
    tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=16m" },
    readOnlyRoot: true,
    network: "none",
    capAdd: [],
    limits: { memoryBytes: 256 * 1024 * 1024, nanoCpus: 1e9, pids: 64 },
    logMaxBytes: 1024 * 1024,
    init: true,
  };
}

/** The workflow container: no network, no capability, user 65534, read-only; only the channel. */
export function workflowContainerConfig(
  policy: RunPolicy,
  run: RunFacts,
  w: { chanDir: string; function: string; args: Record<string, unknown> },
): ContainerSpec {
  return {
    name: `lev-${run.runId}-wf`,
    image: run.workflowImage,
    labels: createLabels(run.instance, run.runId, "workflow", 0, run.owner),
    entrypoint: ["python3", "-m", "levrt._workflow"],
    cmd: [],
    env: [...baseEnv(run), "HOME=/tmp", `LEV_CALL=${JSON.stringify({ function: w.function, args: w.args })}`],
    user: NOBODY,
    workingDir: "/lev/pkg",
    binds: [`${run.runtimeDir}:/lev/rt:ro`, `${run.pkgDir}:/lev/pkg:ro`, `${w.chanDir}:/lev/chan:ro`, ...dependencyBinds(run.deps)],
    tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=64m" },
    readOnlyRoot: true,
    network: "none",
    capAdd: [],
    limits: policy.limits.workflow,
    logMaxBytes: logBytes(policy),
    init: true,
  };
}

/** Containers a task keeps alive at once: its tool and each of its services. */
export function taskWeight(cr: CrSpec): number {
  return 1 + Object.keys(cr.services).length;
}
