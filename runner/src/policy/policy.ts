/**
 * What a run may do, decided by whoever starts it (the hub from admin grants; `lev exec` locally)
 * and carried with the run: the runner reads no database. Plain JSON, so it can travel through a
 * queue to a worker or a device agent. The check at every task start (`containerConfig`) is the
 * boundary; nothing else grants a privilege.
 */
import { z } from "zod";
import type { ResourceLimits } from "../types.ts";
import { compiledScopeSchema, type CompiledScope } from "../scope/rules.ts";

/** The only Linux capabilities an admin can ever grant to tool containers. */
export const GRANTABLE_CAPS = ["NET_RAW", "NET_ADMIN", "NET_BIND_SERVICE"] as const;
export type GrantableCap = (typeof GRANTABLE_CAPS)[number];

export interface RunLimits {
  /** tasks one run may start in all */
  maxTasks: number;
  /** tool containers of one run alive at once; further tasks wait for a slot */
  maxConcurrentTasks: number;
  /** log bytes kept per task (workflow included); beyond, lines are dropped with one notice */
  taskLogBytes: number;
  /** a longer output line is cut at this many bytes, with a marker */
  logLineBytes: number;
  /** the largest document a task may store (≥ 4 MiB by default) */
  docBytes: number;
  /** size of the writable /tmp of a tool container (its root filesystem is read-only) */
  tmpBytes: number;
  /** Docker's own json-file log cap per container */
  dockerLogBytes: number;
  tool: ResourceLimits;
  workflow: ResourceLimits;
  /** the whole run's time limit (RunTimeout); absent: the runner's default */
  runTimeoutMs?: number;
  /** a task's time limit (TaskTimeout; a `Cr(timeout=…)` may ask for less); absent: the runner's default */
  taskTimeoutMs?: number;
}

export interface ImagePolicy {
  /**
   * Image references the run may use → the image to run. Keys: `.ns.name` (a package's image,
   * any tag; lower-case) or an exact reference. The hub lists only packages the run's owner may
   * see, so "not allowed" and "not found" read the same.
   */
  refs: Record<string, string>;
  /** admin-listed base images usable by their name */
  base: string[];
  /** any image present on the engine (local, single-user `lev exec`) */
  any: boolean;
  /**
   * Admin-set aliases for hubs without a registry: a reference as packages write it (Leviathan's
   * `alpine:latest`) → the local image that stands in for it. Applied before anything else; the
   * task record shows what really ran.
   */
  aliases?: Record<string, string>;
  /**
   * Registries images may be pulled from when missing locally (`127.0.0.1:5000`, `docker.io`);
   * empty or absent: never pull. A pulled image is pinned by digest for the rest of the run.
   */
  pull?: string[];
}

/**
 * What a `Cr(host=True)` of a granted package gets (one closed set; Admin → Policy words each):
 * - `none`: nothing; it is refused.
 * - `bridge`: the run's own bridge network, with NET_RAW when granted: raw packets (SYN and OS
 *   scans) on a network only the run's own containers share; never the host's network, never
 *   Docker's shared default bridge.
 * - `host`: the host's network namespace: every interface of the engine's machine, its loopback
 *   services included. Refused on an engine whose machine runs the hub unless an admin turns on
 *   the unsafe setting (`hostNetworkOnHubMachine`).
 * - `macvlan`: its own address on a LAN segment, a macvlan network on a parent interface the
 *   admin chose (the engine's machine itself is unreachable from it, as macvlan goes).
 */
export const GRANT_NETWORKS = ["none", "bridge", "host", "macvlan"] as const;
export type GrantNetwork = (typeof GRANT_NETWORKS)[number];

/** The LAN segment of a `macvlan` grant: the engine's interface and the addresses tools may take there. */
export interface MacvlanSegment {
  /** the parent interface on the engine's machine (`eth1`) */
  parent: string;
  /** the segment's subnet (`192.168.1.0/24`) */
  subnet: string;
  /** the addresses Docker hands to tools, inside the subnet (`192.168.1.240/28`); absent: the whole subnet */
  ipRange?: string;
  /** the segment's router; absent: Docker's choice (the subnet's first address) */
  gateway?: string;
}

/** What an admin granted one package (or its namespace), as it applies to one function. */
export interface PackageGrant {
  network: GrantNetwork;
  /** present when `network` is `macvlan` */
  macvlan?: MacvlanSegment;
  caps: GrantableCap[];
}

/** A mode's grant: what its tasks may get, and the only images they may run (its manifest's). */
export interface ModeGrant extends PackageGrant {
  /** the `Cr(image)` literals the mode's manifest lists; each must still resolve to the package's pinned build or an admin's image */
  images: string[];
}

export interface RunPolicy {
  /**
   * The run's own grant, for the function being run (the grants that cover it): what
   * `Cr(host=True)` of the run's package gets, and the capabilities its Crs may add.
   */
  network: GrantNetwork;
  macvlan?: MacvlanSegment;
  caps: GrantableCap[];
  /** the admin's unsafe setting: a `host` grant works even on an engine whose machine runs the hub */
  hostNetworkOnHubMachine?: boolean;
  images: ImagePolicy;
  limits: RunLimits;
  /**
   * Builders (`lev.ns.name.module.function`) of the run's own modes that no grant covers (raw
   * command-line modes, modes a grant does not name): a Cr they build gets no privilege at all,
   * even in a run whose function is granted.
   */
  uncovered?: string[];
  /**
   * Mode grants wider than the run's own, by package (`ns.name`, lower-case; the run's own package
   * included) and builder (`lev.ns.name.module.function`). A Cr asking for more than the run's
   * grant gets one only when it names such a mode as its builder: the runner then has the planner
   * build the Cr by calling that mode in that package's code alone, and runs the Cr it built
   * (policy/package-grant.ts). Absent: no Cr gets more than the run's grant.
   */
  packages?: Record<string, { modes: Record<string, ModeGrant> }>;
  /**
   * The run's project scope as it was at submit, compiled (runner/src/scope); absent: unscoped.
   * The hub refused out-of-scope target arguments before queueing; a runner that can enforce
   * (scope/enforcer.ts) puts every tool and service container on the run's own bridge, whose
   * nftables rules allow only the scope and its services (run/run-scope.ts).
   */
  scope?: CompiledScope;
  /**
   * The project requires its scope enforced by the network: the hub sends the run only to a
   * worker that enforces, and a runner that cannot fails it before its first container.
   */
  requireEnforcement?: boolean;
  /**
   * The project's owner lets host-network (and LAN segment) grants work in this scoped project:
   * those containers run outside the scope's enforcement, and the run reports itself unenforced.
   */
  scopeAllowsHostNetwork?: boolean;
}

const MiB = 1024 * 1024;

export function defaultRunLimits(): RunLimits {
  return {
    maxTasks: 1000,
    maxConcurrentTasks: 16,
    taskLogBytes: 4 * MiB,
    logLineBytes: 16 * 1024,
    docBytes: 16 * MiB,
    tmpBytes: 64 * MiB,
    dockerLogBytes: 10 * MiB,
    tool: { memoryBytes: 1024 * MiB, nanoCpus: 1e9, pids: 512 },
    workflow: { memoryBytes: 256 * MiB, nanoCpus: 1e9, pids: 128 },
  };
}

/** Nothing privileged: what an unknown user's run gets until an admin grants more. */
export function restrictedPolicy(images: ImagePolicy, limits: RunLimits = defaultRunLimits()): RunPolicy {
  return { network: "none", caps: [], images, limits };
}

/**
 * `lev exec`: one person on their own machine, with any local image. Host-network Crs get what a
 * hub's default grant gives (the run's own bridge with NET_RAW), so what works locally works on a
 * hub; `network: "host"` (`lev exec --host-network`) is that person's own choice.
 */
export function localPolicy(limits: RunLimits = defaultRunLimits(), network: "bridge" | "host" = "bridge"): RunPolicy {
  return { network, caps: ["NET_RAW"], images: { refs: {}, base: [], any: true }, limits };
}

/** Whether a grant gives anything at all. */
export function grantsAnything(g: PackageGrant): boolean {
  return g.network !== "none" || g.caps.length > 0;
}

const positive = z.number().int().positive();
const resources = z.object({ memoryBytes: positive, nanoCpus: positive, pids: positive }).strict();

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const CIDR = (s: string) => {
  const [ip, bits, ...rest] = s.split("/");
  return rest.length === 0 && IPV4.test(ip ?? "") && /^\d{1,2}$/.test(bits ?? "") && Number(bits) <= 32;
};
/** A Linux interface name: at most 15 characters, no slash, space or colon. */
export const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$/;

export const macvlanSegmentSchema: z.ZodType<MacvlanSegment> = z
  .object({
    parent: z.string().regex(INTERFACE_NAME, "an interface name such as eth1"),
    subnet: z.string().refine(CIDR, "an IPv4 subnet such as 192.168.1.0/24"),
    ipRange: z.string().refine(CIDR, "an IPv4 range such as 192.168.1.240/28").optional(),
    gateway: z.string().regex(IPV4, "an IPv4 address").optional(),
  })
  .strict();

const grantFields = {
  network: z.enum(GRANT_NETWORKS),
  macvlan: macvlanSegmentSchema.optional(),
  caps: z.array(z.enum(GRANTABLE_CAPS)),
};
const withSegment = <T extends { network: GrantNetwork; macvlan?: MacvlanSegment }>(g: T, ctx: z.RefinementCtx) => {
  if (g.network === "macvlan" && !g.macvlan) ctx.addIssue({ code: "custom", path: ["macvlan"], message: "a macvlan grant names its segment" });
};
const modeGrantSchema = z
  .object({ ...grantFields, images: z.array(z.string().min(1).max(256)).max(100) })
  .strict()
  .superRefine(withSegment);

/**
 * Policies stored before grants named networks said `hostNetwork: true|false`: that meant the
 * host's network, and still does (refused on the hub's machine unless the admin allows it).
 */
function upgradeLegacy(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw) || !("hostNetwork" in raw) || "network" in raw) return raw;
  const { hostNetwork, packages: _legacyPackages, ...rest } = raw as Record<string, unknown>;
  return { ...rest, network: hostNetwork === true ? "host" : "none" };
}

/** A policy as it arrives from elsewhere (a queue, a stored run): checked before a run uses it. */
export const runPolicySchema: z.ZodType<RunPolicy> = z.preprocess(
  upgradeLegacy,
  z
    .object({
      ...grantFields,
      hostNetworkOnHubMachine: z.boolean().optional(),
      images: z
        .object({
          refs: z.record(z.string(), z.string().min(1)),
          base: z.array(z.string().min(1)),
          any: z.boolean(),
          aliases: z.record(z.string().min(1), z.string().min(1)).optional(),
          pull: z.array(z.string().min(1)).optional(),
        })
        .strict(),
      uncovered: z.array(z.string().min(1).max(300)).max(1000).optional(),
      packages: z.record(z.string(), z.object({ modes: z.record(z.string(), modeGrantSchema) }).strict()).optional(),
      scope: compiledScopeSchema.optional(),
      requireEnforcement: z.boolean().optional(),
      scopeAllowsHostNetwork: z.boolean().optional(),
      limits: z
        .object({
          maxTasks: positive,
          maxConcurrentTasks: positive,
          taskLogBytes: positive,
          logLineBytes: positive,
          docBytes: positive,
          tmpBytes: positive,
          dockerLogBytes: positive,
          tool: resources,
          workflow: resources,
          runTimeoutMs: positive.optional(),
          taskTimeoutMs: positive.optional(),
        })
        .strict(),
    })
    .strict()
    .superRefine(withSegment),
) as z.ZodType<RunPolicy>;
