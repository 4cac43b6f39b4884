/**
 * What the HTTP API answers, as zod schemas: route declarations name them (`response:`), the
 * OpenAPI document publishes them, integration tests check every answer against them
 * (LEVHUB_CHECK_RESPONSES=1, lib/api/route.ts), and the DTO types are inferred from them
 * (lib/types.ts, lib/results/types.ts, lib/scans/types.ts, lib/devices/devices.ts). Dates are ISO
 * strings. A part whose shape belongs to another layer (a package manifest, introspection's
 * function entry, a stored document) is an open object here: its own module validates it.
 */
import { z } from "zod";
import { RUN_STATUSES, TASK_STATUSES } from "../../runner/src/status.ts";
import { RUN_TRIGGERS } from "../scans/types.ts";
import { TOKEN_SCOPES } from "../types.ts";

const iso = z.string();
const openObject = z.record(z.string(), z.unknown());

/** a run's or a task's error as recorded */
const runErrorSchema = z.object({ type: z.string(), message: z.string(), traceback: z.string().nullish(), task: z.number().int().nullish() });

/** A project as other DTOs name it. */
export const projectRefSchema = z.object({ slug: z.string(), name: z.string(), personal: z.boolean() });

export const runSummarySchema = z.object({
  id: z.string(),
  number: z.number().int(),
  status: z.enum(RUN_STATUSES),
  package: z.string(),
  packageVersion: z.string(),
  versionId: z.string(),
  function: z.string(),
  owner: z.string(),
  createdAt: iso,
  startedAt: iso.nullable(),
  endedAt: iso.nullable(),
  durationMs: z.number().nullable(),
  progress: z.object({ started: z.number().int(), finished: z.number().int() }),
  /** a queued run's place in its queue (1 = next), else null */
  queuePosition: z.number().int().nullable(),
  /** the name of the worker holding (or that held) the run */
  worker: z.string().nullable(),
  /** the owner's device the run was sent to (by its current name), or null: the hub's workers */
  device: z.string().nullable(),
  /** the project the run belongs to */
  project: projectRefSchema,
});

export const taskViewSchema = z.object({
  number: z.number().int(),
  image: z.string(),
  /** the image that really ran when it differs from `image` (an admin's alias, a pinned digest) */
  resolvedImage: z.string().nullable(),
  coll: z.string(),
  status: z.enum(TASK_STATUSES),
  exitCode: z.number().int().nullable(),
  error: runErrorSchema.nullable(),
  stored: z.boolean(),
  startedAt: iso,
  endedAt: iso.nullable(),
});

export const logLineViewSchema = z.object({
  seq: z.number().int(),
  task: z.number().int(),
  stream: z.enum(["stdout", "stderr", "system"]),
  line: z.string(),
  at: iso,
});

export const runDetailSchema = runSummarySchema.extend({
  /** as stored: a secret as its reference `{"$lev": "secret", "id"}`, never its value */
  args: openObject,
  /** the name of each secret the arguments bind, by id ("(deleted)" for one deleted since) */
  secretNames: z.record(z.string(), z.string()),
  error: runErrorSchema.nullable(),
  exitCode: z.number().int().nullable(),
  collections: z.array(z.string()),
  tasks: z.array(taskViewSchema),
  logs: z.array(logLineViewSchema),
  /** the manifest entry of the function that ran (null if it vanished from the manifest) */
  fn: openObject.nullable(),
  canCancel: z.boolean(),
  /** the viewer may start runs in the run's project (re-run, save as scan); viewers may not */
  canRun: z.boolean(),
  /** a run still waiting for the device it was sent to: how that device is, and when the run stops waiting; else null */
  deviceWait: z
    .object({
      device: z.string(),
      state: z.enum(["online", "draining", "offline", "never connected", "revoked"]),
      lastSeenAt: iso.nullable(),
      wait: z.string(),
      endsAt: iso,
    })
    .nullable(),
});

export const runListSchema = z.object({ items: z.array(runSummarySchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

// results
export const resultDocumentViewSchema = z.object({
  /** the index row's id: the keyset cursor and the address of the whole document */
  id: z.string(),
  coll: z.string(),
  runId: z.string(),
  /** the run number (`_id.job`) */
  job: z.number().int(),
  task: z.number().int(),
  function: z.string(),
  storedAt: iso,
  bytes: z.number().int(),
  doc: z.unknown(),
});
export const resultPageSchema = z.object({
  items: z.array(resultDocumentViewSchema),
  /** pass as `after` for the next page; null on the last page */
  next: z.string().nullable(),
});
export const collectionCountSchema = z.object({ coll: z.string(), documents: z.number().int(), bytes: z.number().int(), lastAt: iso });
export const topValueSchema = z.object({
  /** the value as JSON text (`"open"`, `8080`, `true`) */
  value: z.string(),
  count: z.number().int(),
});
export const runCountSchema = z.object({ runId: z.string(), number: z.number().int(), createdAt: iso, documents: z.number().int() });
export const chartResponseSchema = z.union([
  z.object({ kind: z.literal("top"), field: z.string(), values: z.array(topValueSchema) }),
  z.object({ kind: z.literal("runs"), runs: z.array(runCountSchema) }),
]);
export const collectionsResponseSchema = z.object({ collections: z.array(collectionCountSchema) });
export const runDocumentsResponseSchema = z.object({
  documents: z.array(z.object({ coll: z.string(), task: z.number().int(), doc: z.unknown() }).loose()),
  next: z.string().nullable(),
});

// saved scans
export const scanErrorSchema = z.object({ code: z.string(), message: z.string(), at: iso });
export const scanRunViewSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(RUN_TRIGGERS),
  packageVersion: z.string(),
  createdAt: iso,
  endedAt: iso.nullable(),
});
export const scanSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** who made it: it fires as them */
  owner: z.string(),
  /** the project its runs go to */
  project: projectRefSchema,
  /** `ns.name` */
  package: z.string(),
  /** the pinned version; null = the package's latest when it fires */
  version: z.string().nullable(),
  function: z.string(),
  args: openObject,
  cron: z.string().nullable(),
  timezone: z.string(),
  /** the schedule in words ("daily at 03:00"), null without a schedule */
  schedule: z.string().nullable(),
  enabled: z.boolean(),
  nextRunAt: iso.nullable(),
  lastRunAt: iso.nullable(),
  lastError: scanErrorSchema.nullable(),
  lastRun: scanRunViewSchema.nullable(),
  createdAt: iso,
  updatedAt: iso,
  /** the viewer may pause, resume and delete it (the project's operators and owners, admins) */
  canManage: z.boolean(),
  /** the viewer may edit it and start it by hand (its creator, while they may run in the project) */
  canEdit: z.boolean(),
});
export const scanDetailSchema = scanSummarySchema.extend({
  /** its runs, newest first */
  runs: z.array(scanRunViewSchema),
});

// devices
export const deviceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(["online", "draining", "offline", "never connected", "revoked"]),
  lastSeenAt: iso.nullable(),
  version: z.string().nullable(),
  engine: z.string().nullable(),
  capacity: z.number().int().nullable(),
  running: z.number().int(),
  createdAt: iso,
  revokedAt: iso.nullable(),
  /** first characters of its token, to tell enrolments apart */
  tokenPrefix: z.string(),
});
export const newDeviceSchema = z.object({ device: deviceViewSchema, token: z.string() });

// accounts
export const meResponseSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), username: z.string(), name: z.string().nullable(), role: z.enum(["user", "admin"]) }),
  token: z.object({ id: z.string(), scopes: z.array(z.enum(TOKEN_SCOPES)), namespace: z.string().nullable(), expiresAt: iso }).nullable(),
});

// packages
const exportSummarySchema = z.object({
  qualified: z.string(),
  name: z.string(),
  kind: z.enum(["mode", "workflow"]),
  tool: z.string().nullable(),
  desc: z.string(),
  tags: z.array(z.string()),
  attck: z.array(z.string()),
  blackarch: z.array(z.string()),
});
export const packageSummarySchema = z.object({
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  fullName: z.string(),
  version: z.string(),
  desc: z.string(),
  tags: z.array(z.string()),
  attck: z.array(z.string()),
  blackarch: z.array(z.string()),
  kinds: z.array(z.enum(["tool", "workflow"])),
  functions: z.number().int(),
  private: z.boolean(),
  updatedAt: iso,
  matches: z.array(exportSummarySchema),
  official: z.object({ at: iso, by: z.string().nullable() }).nullable(),
  favourites: z.number().int(),
});
const facetCountSchema = z.object({ key: z.string(), label: z.string(), count: z.number().int() });
export const browseResultSchema = z.object({
  items: z.array(packageSummarySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  facets: z.object({ tactic: z.array(facetCountSchema), category: z.array(facetCountSchema), tag: z.array(facetCountSchema), kind: z.array(facetCountSchema), official: z.array(facetCountSchema) }),
});
const versionSummarySchema = z.object({ id: z.string(), version: z.string(), createdAt: iso, createdBy: z.string().nullable(), imageRef: z.string().nullable(), imageDigest: z.string().nullable() });
const dependencyLinkSchema = z.object({ namespace: z.string(), name: z.string(), version: z.string(), requirement: z.string().nullable(), visible: z.boolean() });
export const packageDetailSchema = packageSummarySchema.extend({
  versions: z.array(versionSummarySchema),
  current: versionSummarySchema.extend({ manifest: openObject, buildLog: z.string().nullable(), exports: z.array(exportSummarySchema) }),
  owner: z.string().nullable(),
  canPublish: z.boolean(),
  granted: z.object({ hostNetwork: z.boolean(), caps: z.array(z.string()) }),
  dependsOn: z.array(dependencyLinkSchema),
  usedBy: z.array(dependencyLinkSchema),
  external: z.array(z.string()),
});
export const publishResultSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  private: z.boolean(),
  version: z.string(),
  packageId: z.string(),
  versionId: z.string(),
  manifest: openObject,
  imageRef: z.string().nullable(),
  buildLog: z.string().nullable(),
  created: z.boolean(),
});
export const publishedVersionSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  version: z.string(),
  /** sha256 (hex) of `…/archive` */
  sha256: z.string(),
  /** the pinned closure (direct and transitive), sorted by package */
  dependencies: z.array(z.object({ namespace: z.string(), name: z.string(), version: z.string(), sha256: z.string() })),
});

/** `{deleted: id}`, `{revoked: id}`: what a removal answers */
export const removedSchema = (key: "deleted" | "revoked") => z.object({ [key]: z.string() });

/** A project secret as its project's members see it (never its value: write-only once saved). */
export const secretViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** the project roles that may bind it to a run (a personal project's: its owner) */
  roles: z.array(z.enum(["owner", "operator", "viewer"])),
  /** a personal project's secret: its owner's own, usable in any project they run in */
  personal: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: iso,
  updatedAt: iso,
  /** the last time a run bound it */
  lastUsedAt: iso.nullable(),
  /** whether the caller may bind it to a run of this project */
  usable: z.boolean(),
});
export const secretListSchema = z.object({ secrets: z.array(secretViewSchema) });

/** A secret the caller may bind to a run: of `project` (its runs only), or their own (null: any project they run in). */
export const secretChoiceSchema = z.object({ id: z.string(), name: z.string(), description: z.string(), project: z.string().nullable() });

/** One audit event as the audit page shows it: who did what, to what, where, when. */
export const auditEventViewSchema = z.object({
  id: z.string(),
  at: iso,
  /** the actor's user name; null: the hub itself, a worker, or an account since deleted */
  actor: z.string().nullable(),
  action: z.string(),
  /** how the action reads (`secret.use` → "secret bound to a run") */
  label: z.string(),
  target: z.string().nullable(),
  project: z.object({ slug: z.string(), name: z.string() }).nullable(),
  /** what the event recorded besides (never a secret's value, a password or a token) */
  data: z.unknown(),
});
export const auditPageSchema = z.object({ items: z.array(auditEventViewSchema), next: z.string().nullable() });
