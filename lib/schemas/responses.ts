/**
 * What the HTTP API answers, as zod schemas: route declarations name them (`response:`), the
 * OpenAPI document publishes them, integration tests check every answer against them
 * (LEVHUB_CHECK_RESPONSES=1, lib/api/route.ts), and the DTO types are inferred from them
 * (lib/types.ts, lib/results/types.ts, lib/scans/types.ts, lib/devices/devices.ts). Dates are ISO
 * strings. A part whose shape belongs to another layer (a package manifest, introspection's
 * function entry, a stored document) is an open object here: its own module validates it.
 */
import { scopeReportSchema } from "../../runner/worker/protocol.ts";
import { z } from "zod";
import { GRANT_NETWORKS, macvlanSegmentSchema } from "../../runner/src/policy/policy.ts";
import { RUN_STATUSES, TASK_STATUSES } from "../../runner/src/status.ts";
import { RUN_TRIGGERS } from "../scans/types.ts";
import { TOKEN_SCOPES } from "../types.ts";
import { ASSET_KINDS, FINDING_SEVERITIES, FINDING_STATES } from "./finding-vocabulary.ts";
import { NOTIFY_CHANNELS } from "./notify.ts";

const iso = z.string();
const openObject = z.record(z.string(), z.unknown());

/** a run's or a task's error as recorded */
const runErrorSchema = z.object({ type: z.string(), message: z.string(), traceback: z.string().nullish(), task: z.number().int().nullish() });

/** A project as other DTOs name it. */
export const projectRefSchema = z.object({ slug: z.string(), name: z.string(), personal: z.boolean() });

// files given to runs (levrt.File)
/** A file as a run or scan that references it shows it: the reference id its arguments hold, the name and size. */
export const fileRefViewSchema = z.object({ id: z.string(), name: z.string(), size: z.number().int() });
/** An upload, as `POST /api/files` and `GET /api/files/{id}` answer it. */
export const fileViewSchema = fileRefViewSchema.extend({
  /** of the content: the hub keeps one copy per content; a run names the file by `id`, never by this */
  sha256: z.string(),
  createdAt: iso,
  /** who uploaded it (null once that account is gone) */
  owner: z.string().nullable(),
  /** whose operators and owners may use it too (null once that project is deleted) */
  project: z.object({ slug: z.string(), name: z.string(), personal: z.boolean() }).nullable(),
});

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
  /** the files its arguments reference (`{"$lev": "file", "id"}`) */
  files: z.array(fileRefViewSchema),
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
  /** a queued run only some of the hub's workers take (its queue): what it waits for, in words; else null */
  waitsFor: z.string().nullable(),
  /** the project's scope the run carried from submit, as entry texts; null: unscoped */
  scope: z.object({ allow: z.array(z.string()), exclude: z.array(z.string()), services: z.array(z.string()) }).nullable(),
  /** what the run's network did with its scope, as its worker last reported it: enforced or not, the destinations refused; null: unscoped or nothing reported */
  scopeReport: scopeReportSchema.nullable(),
});

/** `GET/PUT /api/projects/{slug}/scope` */
export const projectScopeViewSchema = z.object({
  scope: z.object({ allow: z.array(z.string()), exclude: z.array(z.string()), services: z.array(z.string()) }).nullable(),
  requireEnforcement: z.boolean(),
  allowHostNetwork: z.boolean(),
  /** every run of the project is enforced by its network (it requires enforcement); else only those on engines that can */
  enforcedByNetwork: z.boolean(),
  canEdit: z.boolean(),
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
  /** the files its arguments reference (`{"$lev": "file", "id"}`) */
  files: z.array(fileRefViewSchema),
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
  /** what the grants give each function of the shown version, by qualified name */
  granted: z.record(z.string(), z.object({ network: z.enum(GRANT_NETWORKS), macvlan: macvlanSegmentSchema.optional(), caps: z.array(z.string()) })),
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
// assets and findings (lib/findings/)
const runRefSchema = z.object({ id: z.string(), number: z.number().int() });
export const assetRefViewSchema = z.object({
  kind: z.enum(ASSET_KINDS),
  /** as pages show it: `10.0.0.1`, `10.0.0.1:22/tcp`, `https://example.com:8443` */
  label: z.string(),
  /** the host's address (hosts and services) */
  address: z.string().nullable(),
  port: z.number().int().nullable(),
  protocol: z.string().nullable(),
});
export const hostSummarySchema = z.object({
  id: z.string(),
  address: z.string(),
  names: z.array(z.string()),
  firstSeen: iso,
  lastSeen: iso,
  lastRun: runRefSchema.nullable(),
  /** services seen open on it */
  serviceCount: z.number().int(),
  /** its findings (and its services') still to act on: new or confirmed */
  openFindings: z.number().int(),
});
export const hostPageSchema = z.object({
  items: z.array(hostSummarySchema),
  /** pass as `after` for the next page; null on the last page */
  next: z.string().nullable(),
});
export const serviceViewSchema = z.object({
  id: z.string(),
  address: z.string(),
  port: z.number().int(),
  protocol: z.string(),
  /** as last seen */
  state: z.string().nullable(),
  service: z.string().nullable(),
  product: z.string().nullable(),
  version: z.string().nullable(),
  firstSeen: iso,
  lastSeen: iso,
  lastRun: runRefSchema.nullable(),
});
export const servicePageSchema = z.object({ items: z.array(serviceViewSchema), next: z.string().nullable() });
export const findingSummarySchema = z.object({
  id: z.string(),
  key: z.string(),
  title: z.string(),
  severity: z.enum(FINDING_SEVERITIES),
  state: z.enum(FINDING_STATES),
  /** who set the state (null: no one yet, or a run reopened it) and when */
  stateBy: z.string().nullable(),
  stateAt: iso,
  /** the last triage note */
  note: z.string(),
  /** null: about the project as a whole */
  asset: assetRefViewSchema.nullable(),
  firstSeen: iso,
  lastSeen: iso,
  firstRun: runRefSchema.nullable(),
  lastRun: runRefSchema.nullable(),
  /** the package whose run found it (`ns.name`), its function, the collection's schema */
  tool: z.string(),
  function: z.string(),
  schema: z.string(),
});
const countsSchema = <T extends readonly [string, ...string[]]>(keys: T) => z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>);
export const findingPageSchema = z.object({
  items: z.array(findingSummarySchema),
  next: z.string().nullable(),
  /** counts under the other filters: by severity (without the severity filter), by state (without the state filter), by tool (without the tool filter) */
  counts: z.object({ severity: countsSchema(FINDING_SEVERITIES), state: countsSchema(FINDING_STATES), tools: z.array(z.object({ tool: z.string(), count: z.number().int() })) }),
});
export const findingEvidenceSchema = z.object({
  run: runRefSchema,
  coll: z.string(),
  task: z.number().int(),
  /** the field's concrete path in the document (`hosts[0].ports[2]`; "" for the whole document) */
  path: z.string(),
  /** the value's JSON, cut to 2,000 characters */
  excerpt: z.string(),
  /** sha256 of the whole value's JSON */
  sha256: z.string(),
  seenAt: iso,
  /** the document is still in the results index (its id), or null: retention removed it */
  documentId: z.string().nullable(),
});
export const findingChangeSchema = z.object({
  from: z.enum(FINDING_STATES).nullable(),
  to: z.enum(FINDING_STATES),
  /** who changed it; null: a run (it found it, or saw it again) */
  by: z.string().nullable(),
  run: runRefSchema.nullable(),
  note: z.string(),
  at: iso,
});
export const findingDetailSchema = findingSummarySchema.extend({
  /** newest first, the last 100 */
  evidence: z.array(findingEvidenceSchema),
  /** oldest first */
  history: z.array(findingChangeSchema),
  /** the viewer may triage it (operators, owners, admins) */
  canTriage: z.boolean(),
});
export const hostDetailSchema = hostSummarySchema.extend({
  services: z.array(serviceViewSchema),
  findings: z.array(findingSummarySchema),
  /** the runs that saw it, newest first (the last 50), with the services each saw */
  timeline: z.array(
    z.object({
      run: runRefSchema.extend({ function: z.string(), createdAt: iso }),
      seenAt: iso,
      coll: z.string(),
      task: z.number().int(),
      services: z.array(z.object({ port: z.number().int(), protocol: z.string(), state: z.string().nullable() })),
    }),
  ),
});
export const triageResultSchema = z.object({
  /** findings whose state or note changed */
  changed: z.number().int(),
  /** findings already in that state, with no note given */
  unchanged: z.number().int(),
});

/** A notification rule (lib/notify): a Slack URL, itself a credential, only as its origin. */
export const notifyRuleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(["project", "user"]),
  project: z.string().nullable(),
  events: z.array(z.string()),
  minSeverity: z.enum(FINDING_SEVERITIES).nullable(),
  channel: z.enum(NOTIFY_CHANNELS),
  target: z.string(),
  emails: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export const notifyRuleListSchema = z.object({ rules: z.array(notifyRuleViewSchema) });
/** A new rule; `secret`: a webhook's signing secret, shown this once (null for Slack and e-mail). */
export const createdNotifyRuleSchema = z.object({ secret: z.string().nullable(), rule: notifyRuleViewSchema });

/** One delivery of the log: status codes, attempts and the next retry; never a response body. */
export const notifyDeliverySchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  rule: z.string(),
  eventType: z.string(),
  eventId: z.string().nullable(),
  test: z.boolean(),
  status: z.enum(["pending", "retrying", "delivered", "dead"]),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastResponseBytes: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export const notifyDeliveryListSchema = z.object({ deliveries: z.array(notifyDeliverySchema) });
