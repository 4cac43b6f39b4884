import "server-only";
import { z } from "zod";
import { DEFAULT_RUN_TIMEOUT_MS, DEFAULT_TASK_TIMEOUT_MS, defaultRunLimits, type RunLimits } from "../../runner/src/index.ts";
import { db } from "./db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { retentionSettingsSchema } from "./retention-settings.ts";

const MiB = 1024 * 1024;
const defaults = defaultRunLimits();
const RUN_TIMEOUT_MS = DEFAULT_RUN_TIMEOUT_MS;
const TASK_TIMEOUT_MS = DEFAULT_TASK_TIMEOUT_MS;

/** How long a run sent to a device may wait for it, in minutes: a day unless an admin says otherwise (a minute to 30 days). */
export const DEVICE_WAIT_MINUTES = { min: 1, max: 30 * 24 * 60, default: 24 * 60 } as const;
const DEFAULT_QUEUED_PER_USER = 100;
const DEFAULT_SCANS_PER_USER = 100;
const DEFAULT_FILE_BYTES = 64 * MiB;
const DEFAULT_FILE_QUOTA_BYTES = 1024 * MiB;

/** Who may create an account: anyone, holders of an admin's invite link, or nobody. */
export const SIGN_UP_MODES = ["open", "invite", "closed"] as const;
export type SignUpMode = (typeof SIGN_UP_MODES)[number];

/** Whose accounts must have two-factor sign-in: nobody's, admins', everyone's. */
export const TWO_FACTOR_REQUIREMENTS = ["none", "admins", "everyone"] as const;
export type TwoFactorRequirement = (typeof TWO_FACTOR_REQUIREMENTS)[number];

const resourceLimits = (d: RunLimits["tool"]) =>
  z
    .object({
      memoryBytes: z.number().int().min(16 * MiB).max(64 * 1024 * MiB).default(d.memoryBytes),
      nanoCpus: z.number().int().min(1e8).max(64e9).default(d.nanoCpus),
      pids: z.number().int().min(16).max(65536).default(d.pids),
    })
    .default(d);

/** Every admin-set value with its default; a stored document missing a key gets the default. */
export const hubSettingsSchema = z.object({
  /**
   * a fresh hub signs up by invitation; hubs that had accounts before this default kept "open"
   * (migration 20261207200000_accounts_trust wrote it into their settings)
   */
  signUpMode: z.enum(SIGN_UP_MODES).default("invite"),
  /** who must sign in with a second factor; those without one are sent to set it up and can do nothing else */
  twoFactorRequired: z.enum(TWO_FACTOR_REQUIREMENTS).default("none"),
  /**
   * the address people and agents reach the hub at (invite links, the device enrolment command);
   * null: the address the admin's browser used
   */
  publicUrl: z.string().max(300).nullable().default(null),
  /** base images any run may use by name (besides its own package's and visible packages' images) */
  baseImages: z.array(z.string().min(1).max(256)).max(100).default(["levhub/python:bookworm", "levhub/nmap:bookworm"]),
  /** references packages write → a local image standing in for it (`alpine:latest` → `levhub/python:bookworm`) */
  imageAliases: z
    .record(z.string().min(1).max(256), z.string().min(1).max(256))
    .refine((m) => Object.keys(m).length <= 100, "at most 100 aliases")
    .default({}),
  /** registries missing images may be pulled from (`127.0.0.1:5000`); empty: never pull */
  pullRegistries: z.array(z.string().min(1).max(256)).max(20).default([]),
  /**
   * UNSAFE: grants of the host's network work on engines whose machine runs the hub (or its
   * database) too. Off: such runs are refused there (the hub's own traffic crosses that loopback).
   */
  hostNetworkOnHubMachine: z.boolean().default(false),
  /** whether Dockerfile builds get a network ("none" keeps builds offline) */
  buildNetwork: z.enum(["none", "default"]).default("none"),
  build: z
    .object({
      memoryBytes: z.number().int().min(64 * MiB).max(64 * 1024 * MiB).default(1024 * MiB),
      timeoutMs: z.number().int().min(10_000).max(6 * 3600_000).default(10 * 60_000),
    })
    .default({ memoryBytes: 1024 * MiB, timeoutMs: 10 * 60_000 }),
  run: z
    .object({
      maxTasks: z.number().int().min(1).max(100_000).default(defaults.maxTasks),
      maxConcurrentTasks: z.number().int().min(1).max(1000).default(defaults.maxConcurrentTasks),
      taskLogBytes: z.number().int().min(64 * 1024).max(1024 * MiB).default(defaults.taskLogBytes),
      logLineBytes: z.number().int().min(1024).max(16 * MiB).default(defaults.logLineBytes),
      docBytes: z.number().int().min(4 * MiB).max(256 * MiB).default(defaults.docBytes),
      tmpBytes: z.number().int().min(MiB).max(16 * 1024 * MiB).default(defaults.tmpBytes),
      dockerLogBytes: z.number().int().min(MiB).max(1024 * MiB).default(defaults.dockerLogBytes),
      tool: resourceLimits(defaults.tool),
      workflow: resourceLimits(defaults.workflow),
      runTimeoutMs: z.number().int().min(1000).max(7 * 24 * 3600_000).default(RUN_TIMEOUT_MS),
      taskTimeoutMs: z.number().int().min(1000).max(7 * 24 * 3600_000).default(TASK_TIMEOUT_MS),
    })
    .default({ ...defaults, runTimeoutMs: RUN_TIMEOUT_MS, taskTimeoutMs: TASK_TIMEOUT_MS }),
  /** arguments of one run: bytes of one field's JSON, and of all of them */
  args: z
    .object({
      fieldBytes: z.number().int().min(1024).max(16 * MiB).default(64 * 1024),
      totalBytes: z.number().int().min(1024).max(64 * MiB).default(256 * 1024),
    })
    .default({ fieldBytes: 64 * 1024, totalBytes: 256 * 1024 }),
  /**
   * files given to runs' `levrt.File` parameters: the largest one upload may be, and the bytes of
   * distinct files one user's uploads may hold (every upload row the hub still keeps, used or not)
   */
  files: z
    .object({
      maxBytes: z.number().int().min(1024).max(1024 * MiB).default(DEFAULT_FILE_BYTES),
      quotaBytes: z.number().int().min(1024).max(1024 * 1024 * MiB).default(DEFAULT_FILE_QUOTA_BYTES),
    })
    .default({ maxBytes: DEFAULT_FILE_BYTES, quotaBytes: DEFAULT_FILE_QUOTA_BYTES }),
  /** runs at once: in the whole hub, and per user (more wait as `queued`); each worker adds the capacity it registered */
  queue: z
    .object({
      totalRuns: z.number().int().min(1).max(10_000).default(16),
      perUserRuns: z.number().int().min(1).max(10_000).default(4),
      /** runs one user may have waiting as `queued` (a start past it is 429) */
      queuedPerUser: z.number().int().min(1).max(100_000).default(DEFAULT_QUEUED_PER_USER),
      /** saved scans one user may keep (saving one more is 422) */
      scansPerUser: z.number().int().min(1).max(100_000).default(DEFAULT_SCANS_PER_USER),
      /** runs whose policy grants host networking may run only on their owner's own devices */
      hostNetworkOnDevicesOnly: z.boolean().default(false),
      /** live instances one hub worker credential may register (a device's figure is fixed: lib/queue/worker-limits.ts) */
      hubWorkerInstances: z.number().int().min(1).max(1000).default(16),
      /** how long a run sent to a device waits for it (offline, never connected, busy) before it ends failed (DeviceTimeout) */
      deviceWaitMinutes: z.number().int().min(DEVICE_WAIT_MINUTES.min).max(DEVICE_WAIT_MINUTES.max).default(DEVICE_WAIT_MINUTES.default),
    })
    .default({ totalRuns: 16, perUserRuns: 4, queuedPerUser: DEFAULT_QUEUED_PER_USER, scansPerUser: DEFAULT_SCANS_PER_USER, hostNetworkOnDevicesOnly: false, hubWorkerInstances: 16, deviceWaitMinutes: DEVICE_WAIT_MINUTES.default }),
  /**
   * debug terminals into running tasks (lib/debug): whether a run's owner may open them, and how
   * long a session may sit with nothing typed or printed before it is closed
   */
  debug: z
    .object({
      enabled: z.boolean().default(true),
      idleTimeoutMs: z.number().int().min(10_000).max(24 * 3600_000).default(10 * 60_000),
    })
    .default({ enabled: true, idleTimeoutMs: 10 * 60_000 }),
  /** bytes of `docker save` tars the hub keeps for workers (<data>/images); past it the least recently served go */
  workerImageCacheBytes: z.number().int().min(64 * MiB).max(10 * 1024 * 1024 * MiB).default(8 * 1024 * MiB),
  /**
   * notifications (lib/notify): hosts webhooks may reach although private or loopback, and over
   * http (`host` or `host:port`: the tests' receiver, a chat server on the LAN); the SMTP server
   * e-mail goes through (its password encrypted with the secrets key), null: no e-mail
   */
  notify: z
    .object({
      allowHosts: z.array(z.string().min(1).max(260)).max(50).default([]),
      smtp: z
        .object({
          host: z.string().min(1).max(253),
          port: z.number().int().min(1).max(65535),
          security: z.enum(["starttls", "tls", "none"]),
          user: z.string().max(256).nullable(),
          password: z.object({ ciphertext: z.string().max(2048), keyId: z.string().max(64) }).nullable(),
          from: z.string().min(3).max(256),
        })
        .nullable()
        .default(null),
    })
    .default({ allowHosts: [], smtp: null }),
  /** how long each kind of data is kept (lib/retention/): days, or null for ever */
  retention: retentionSettingsSchema,
  /** the one-time admin bootstrap token (sha256), cleared once used; null when none is pending */
  bootstrapTokenHash: z.string().nullable().default(null),
  /** the admin-created metrics token (lib/metrics/token.ts): its sha256 and first characters; null when none */
  metricsToken: z.object({ hash: z.string(), prefix: z.string(), createdAt: z.string() }).nullable().default(null),
});
export type HubSettings = z.infer<typeof hubSettingsSchema>;

/** The settings in force (defaults where nothing was stored). */
export async function getSettings(): Promise<HubSettings> {
  const row = await db().hubSettings.findUnique({ where: { id: 1 } });
  const parsed = hubSettingsSchema.safeParse(row?.data ?? {});
  // a stored document that no longer parses (an older shape) falls back key by key
  return parsed.success ? parsed.data : hubSettingsSchema.parse({});
}

/** Changes some settings; the caller has checked that the viewer is an admin and parsed the patch. */
export async function updateSettings(patch: Partial<z.input<typeof hubSettingsSchema>>): Promise<HubSettings> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(72107)`;
    const row = await tx.hubSettings.findUnique({ where: { id: 1 } });
    const current = hubSettingsSchema.safeParse(row?.data ?? {});
    const next = hubSettingsSchema.parse({ ...(current.success ? current.data : {}), ...patch });
    const data = next as unknown as Prisma.InputJsonValue;
    await tx.hubSettings.upsert({ where: { id: 1 }, create: { id: 1, data }, update: { data } });
    return next;
  });
}
