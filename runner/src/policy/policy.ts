/**
 * What a run may do, decided by whoever starts it (the hub from admin grants; `lev exec` locally)
 * and carried with the run: the runner reads no database. Plain JSON, so it can travel through a
 * queue to a worker or a device agent. The check at every task start (`containerConfig`) is the
 * boundary; nothing else grants a privilege.
 */
import { z } from "zod";
import type { ResourceLimits } from "../types.ts";

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

/** What an admin granted one package (or its namespace). */
export interface PackageGrant {
  hostNetwork: boolean;
  caps: GrantableCap[];
}

export interface RunPolicy {
  /** `Cr(host=True)` may use the host network */
  hostNetwork: boolean;
  /** capabilities tool containers may receive (host=True asks for NET_RAW implicitly) */
  caps: GrantableCap[];
  images: ImagePolicy;
  limits: RunLimits;
  /**
   * Grants of the run's dependency packages, by `ns.name` (lower-case): a task built by a
   * dependency's code gets that package's grant instead of the run's (`hostNetwork`/`caps` above
   * are the grant of the package being run), once the runner has checked that the dependency's
   * code really builds that Cr. Absent: dependencies get no more than the run's own grant.
   */
  packages?: Record<string, PackageGrant>;
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
  return { hostNetwork: false, caps: [], images, limits };
}

/** `lev exec`: one person on their own machine, as before: host network, NET_RAW, any local image. */
export function localPolicy(limits: RunLimits = defaultRunLimits()): RunPolicy {
  return { hostNetwork: true, caps: ["NET_RAW"], images: { refs: {}, base: [], any: true }, limits };
}

const positive = z.number().int().positive();
const resources = z.object({ memoryBytes: positive, nanoCpus: positive, pids: positive }).strict();

/** A policy as it arrives from elsewhere (a queue, a stored run): checked before a run uses it. */
export const runPolicySchema: z.ZodType<RunPolicy> = z
  .object({
    hostNetwork: z.boolean(),
    caps: z.array(z.enum(GRANTABLE_CAPS)),
    images: z
      .object({
        refs: z.record(z.string(), z.string().min(1)),
        base: z.array(z.string().min(1)),
        any: z.boolean(),
        aliases: z.record(z.string().min(1), z.string().min(1)).optional(),
        pull: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    packages: z.record(z.string(), z.object({ hostNetwork: z.boolean(), caps: z.array(z.enum(GRANTABLE_CAPS)) }).strict()).optional(),
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
  .strict();
