/**
 * The worker ↔ hub contract: JSON over HTTP(S), the worker always the client. A worker opens no
 * port and holds no database credentials; it authenticates with a bearer credential the hub
 * issued (`lwk_…`: a hub worker; the devices issue adds device credentials scoped to one user).
 * The same contract serves `npm run worker` on another Docker host, the worker `npm start` runs
 * in-process, and users' device agents. One module, imported by both sides: the hub validates
 * every request with these schemas (a worker is trusted to run containers, not to say anything
 * about runs it was not given).
 *
 *   POST /api/worker/register           RegisterRequest → RegisterResponse   a new `instance` per process start
 *   POST /api/worker/heartbeat          HeartbeatRequest → HeartbeatResponse every `heartbeatMs`
 *   POST /api/worker/poll               PollRequest → PollResponse            long poll: new runs and cancels
 *   POST /api/worker/runs/{id}/events   EventsRequest → EventsResponse        batched, idempotent by `seq`
 *   POST /api/worker/runs/{id}/store    StoreRequest → StoreResponse          the run's results (Mongo behind the hub)
 *   POST /api/worker/runs/{id}/secrets  SecretsRequest → SecretsResponse      the values of the secrets a held run binds
 *   GET  /api/worker/packages/{sha256}  the version's files (.tar.gz, deterministic), only for runs this instance holds
 *   GET  /api/worker/images/{imageId}   `docker save` of an image a held run's policy names
 *   POST /api/worker/debug/{session}/stream  DebugStreamRequest → NDJSON of DebugInput (held open: one per session)
 *   POST /api/worker/debug/{session}/output  DebugOutputRequest → DebugOutputResponse   idempotent by `seq`
 *   GET  /api/worker/files/{sha256}     a file a held run was given (`levrt.File`), only for runs this instance holds
 *
 * Errors use the hub's one JSON shape `{error: {code, message}}`; `gone` (410) on heartbeat/poll
 * means the hub declared this instance lost: the worker stops its runs and registers again.
 * 503 from the store means the results store is down: the worker keeps the document and retries.
 *
 * Every request carries a sequence number (REQUEST_SEQ_HEADER), new for each attempt and growing
 * per client; every request but `register` names its instance in INSTANCE_HEADER (and in the body
 * too where the body has an `instance`: the two must agree), and the hub admits each number once
 * per instance (REPLAYED, 409, before anything is done): a recorded request replayed verbatim does
 * nothing. The hub checks the instance (and the run a path names) before it reads a body, and
 * reads a body only up to a cap sized to the request (EVENT_BATCH_LIMITS; a document up to the
 * run's `docBytes` + STORE_ENVELOPE_BYTES).
 *
 * A credential has limits (429 `rate_limited` past them; the worker retries later): requests in
 * flight at once (RegisterResponse.limits; the worker keeps its own requests within it), live
 * instances, and one long poll per instance.
 */
import { z } from "zod";
import { runPolicySchema } from "../src/policy/policy.ts";
import { runSecretSchema } from "../src/refs.ts";
import { refIdSchema } from "../src/refs.ts";
import { reportedErrorTypeSchema, taskStatusSchema, terminalRunStatusSchema } from "../src/status.ts";
import { BLOCKED_NAME_REASONS, BLOCKED_PROTOCOLS, MAX_BLOCKED_NAMES } from "../src/scope/blocked.ts";
import { MAX_REPORTED_BLOCKED } from "../src/run/run-scope.ts";

/**
 * 4: a store request may carry several documents of the run at once (`putMany`, one request and
 * bulk writes for what finished together). 3: every request but `register` names its instance in
 * INSTANCE_HEADER, so the hub checks it before reading the body (2 named it in the body; 1 sent no
 * REQUEST_SEQ_HEADER).
 */
export const PROTOCOL_VERSION = 4;
/**
 * The protocols a hub accepts at registration: a worker of protocol 3 (which never sends
 * `putMany`) keeps working for a release; an older one is told to update.
 */
export const ACCEPTED_PROTOCOLS: readonly number[] = [3, 4];

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in hex");
const instanceId = z.string().uuid();

export const workerLabelsSchema = z
  .object({
    /** the operator lets this engine run containers on its host network (granted runs only) */
    hostNetwork: z.boolean().default(false),
    /**
     * Probed, not set: this worker enforces a scoped run's network on its engine (runner/src/scope/
     * enforcer.ts); runs of projects that require enforcement go only to such workers (never a device's).
     */
    enforceScope: z.boolean().optional(),
    /** …and IPv6 is on there */
    enforceScopeIpv6: z.boolean().optional(),
  })
  .strict();
export type WorkerLabels = z.infer<typeof workerLabelsSchema>;

export const registerRequestSchema = z
  .object({
    protocol: z
      .number()
      .int()
      .refine((v) => ACCEPTED_PROTOCOLS.includes(v), {
        error: (iss) => `this worker speaks protocol ${String(iss.input)}; this hub speaks ${ACCEPTED_PROTOCOLS.join(" and ")}: update the worker (or the hub) to a matching release`,
      }),
    name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    /** the software's version, shown to admins */
    version: z.string().max(64),
    engine: z
      .object({
        host: z.string().max(256),
        version: z.string().max(64),
        /**
         * The kernel boot id of the engine's machine, as a container there reads it (absent: it could
         * not tell). The hub compares it with its own: the same kernel is the hub's machine.
         */
        bootId: z.string().regex(/^[0-9a-f-]{36}$/).optional(),
      })
      .strict(),
    /** runs at once on this worker */
    capacity: z.number().int().min(1).max(256),
    labels: workerLabelsSchema,
  })
  .strict();
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

export interface RegisterResponse {
  workerId: string;
  /** this process's identity: new at every start, never a hostname or a PID */
  instance: string;
  heartbeatMs: number;
  /** the longest a poll may wait */
  pollMs: number;
  /** instances the hub no longer counts as alive: their leftover containers may be removed */
  lostInstances: string[];
  /** the device a device credential belongs to (absent for a hub worker) */
  device?: { id: string; name: string } | null;
  /** the credential's limits: requests in flight at once (long polls not counted: one per instance) */
  limits?: { requestsInFlight: number };
  /**
   * The engine runs on the hub's machine (the same kernel boot id as the hub's, or either unknown):
   * the worker's runner then refuses host-network grants unless a run's policy carries the admin's
   * unsafe setting. Absent (an older hub): counted as true.
   */
  hubMachine?: boolean;
}

/**
 * Whether a worker's engine runs on the hub's machine: the same kernel boot id. Either one unknown
 * counts as the same machine: a host-network grant is then refused there, the safe side.
 */
export function onHubMachine(hub: string | null, engine: string | null | undefined): boolean {
  return !hub || !engine || hub === engine;
}

export const heartbeatRequestSchema = z
  .object({
    instance: instanceId,
    /** the runs this instance is running */
    running: z.array(z.string().max(64)).max(256),
  })
  .strict();
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;

export interface CancelOrder {
  runId: string;
  reason: string;
}

/**
 * A debug terminal the run's owner opened into a task of a run this instance holds: the worker
 * opens the session's stream and output (below) and a shell in the task's container, after its
 * own check of the task (runner/src/debug/task-debug.ts). Given in heartbeat and poll answers
 * until the worker opens it (a worker that does not know them ignores them; the hub then ends the
 * session `worker_gone`).
 */
export interface DebugOrder {
  session: string;
  runId: string;
  task: number;
  cols: number;
  rows: number;
}

export interface HeartbeatResponse {
  cancel: CancelOrder[];
  /** runs the worker reported that the hub has already ended (cancelled while unreachable, …): stop them */
  ended: string[];
  debug?: DebugOrder[];
}

export const pollRequestSchema = z
  .object({
    instance: instanceId,
    /** free slots: the hub assigns at most this many */
    free: z.number().int().min(0).max(256),
    waitMs: z.number().int().min(0).max(30_000),
  })
  .strict();
export type PollRequest = z.infer<typeof pollRequestSchema>;

export interface PackageRef {
  namespace: string;
  name: string;
  version: string;
  /** of the version's deterministic archive (`GET /api/worker/packages/{sha256}`) */
  sha256: string;
}

/**
 * A file a run was given (`levrt.File`, runner/src/refs.ts) as the hub hands it over: what it is,
 * never where the hub keeps it. The worker fetches it by its sha256 (`GET /api/worker/files/{sha256}`),
 * checks size and hash, keeps it read-only in its own data directory and gives the runner that
 * path (`RunSpec.refs`).
 */
export const assignedFileSchema = z
  .object({ kind: z.literal("file"), sha256, size: z.number().int().min(0), name: z.string().min(1).max(255) })
  .strict();
/** One typed reference of a run, by kind (a kind added to TYPED_REF_KINDS adds its member here). */
export const assignedRefSchema = z.discriminatedUnion("kind", [assignedFileSchema]);
/** `RunAssignment.refs`: every typed reference in the run's `args`, by id. */
export const assignedRefsSchema = z.record(refIdSchema, assignedRefSchema);
export type AssignedRef = z.infer<typeof assignedRefSchema>;
export type AssignedRefs = z.infer<typeof assignedRefsSchema>;

/** What a worker needs to run a run: everything but the files and images, which it fetches. */
export interface RunAssignment {
  runId: string;
  /** the run's number: `_id.job` of its documents */
  job: number;
  owner: string;
  function: string;
  args: Record<string, unknown>;
  policy: z.infer<typeof runPolicySchema>;
  package: PackageRef;
  /** the pinned closure, mounted at /lev/deps */
  dependencies: PackageRef[];
  /** what each typed reference in `args` stands for (absent from a hub older than file parameters: none) */
  refs?: AssignedRefs;
  timeoutMs?: number;
  /** 1 for the first attempt; a function that opts into retries may get more */
  attempt: number;
  /** "pause before entry": tool tasks wait for a debugger before their entry (RunSpec.debugPause) */
  debugPause?: boolean;
}

export interface PollResponse {
  assign: RunAssignment[];
  cancel: CancelOrder[];
  debug?: DebugOrder[];
}

/**
 * What one run's report may hold, for both sides: the worker cuts its events to these sizes (so
 * every event fits in a batch) and the hub cuts what it stores to the same, whatever a worker sent.
 */
export const REPORT_BOUNDS = {
  /** characters of one log line (a runner's own cap, logLineBytes, is usually far lower) */
  logLineChars: 64 * 1024,
  /** characters of an error's message and of its traceback */
  messageChars: 64 * 1024,
  /** characters of a task's image, schema, host and collection */
  textChars: 1024,
  /**
   * collections one run may write; a run that names more is ended by the hub (QuotaExceeded), so a
   * worker never reports more than one past it
   */
  collections: 256,
} as const;

/**
 * One events request: at most `events` events and `bytes` of JSON. The worker batches within both;
 * the hub refuses more (422 past `events`, 413 past `bytes`, reading no further).
 */
export const EVENT_BATCH_LIMITS = { events: 500, bytes: 4 * 1024 * 1024 } as const;

/** What a store request may carry besides its document: the hub's body cap is the run's docBytes plus this. */
export const STORE_ENVELOPE_BYTES = 64 * 1024;

/**
 * One `putMany`: at most `documents` documents, whose JSON together stays within the run's
 * docBytes (the same body cap as one document: a batch costs the hub no more to read than the
 * largest single put) and within `bytes`. The worker batches within these; a document that would
 * not fit goes alone as a `put`.
 */
export const STORE_BATCH_LIMITS = { documents: 64, bytes: 1024 * 1024 } as const;

const logLine = z.object({
  task: z.number().int().min(0),
  stream: z.enum(["stdout", "stderr", "system"]),
  line: z.string(),
  at: z.string(),
});
/** A runner's error: its type from the closed set (another becomes the generic `RunnerError`, runner/src/status.ts). */
const runError = z.object({
  type: reportedErrorTypeSchema,
  message: z.string(),
  traceback: z.string().nullish(),
  task: z.number().int().nullish(),
});
/** An exit code as the hub stores it (PostgreSQL's integer): a worker's larger number is refused, not a failed write. */
const exitCode = z.number().int().min(-2147483648).max(2147483647).nullable();

const taskRecord = z.object({
  number: z.number().int().min(0),
  image: z.string(),
  schema: z.string(),
  coll: z.string(),
  host: z.string(),
  status: taskStatusSchema,
  exitCode,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  error: runError.nullable(),
  stored: z.boolean(),
  resolvedImage: z.string().nullish(),
});

const blockedAttempt = z
  .object({ address: z.string().min(1).max(45), protocol: z.enum(BLOCKED_PROTOCOLS), port: z.number().int().min(0).max(65535), packets: z.number().int().min(0) })
  .strict();

/** A scoped run's enforcement as its runner reports it (runner/src/types.ts `ScopeReport`): the hub keeps the last. */
export const scopeReportSchema = z
  .object({
    enforcement: z.enum(["enforced", "unenforced"]),
    reason: z.string().max(500).optional(),
    blocked: z.array(blockedAttempt).max(MAX_REPORTED_BLOCKED),
    blockedDropped: z.number().int().min(0),
    resolver: z.boolean().optional(),
    blockedNames: z
      .array(z.object({ name: z.string().min(1).max(253), reason: z.enum(BLOCKED_NAME_REASONS), queries: z.number().int().min(1) }).strict())
      .max(MAX_BLOCKED_NAMES)
      .optional(),
    blockedNamesDropped: z.number().int().min(0).optional(),
  })
  .strict();

/** The runner's own events (runner/src/types.ts `RunEvent`), as the worker saw them. */
export const reportedEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run.started"), at: z.string() }),
  z.object({ type: z.literal("task.started"), task: taskRecord }),
  z.object({ type: z.literal("task.finished"), task: taskRecord }),
  z.object({ type: z.literal("log"), log: logLine }),
  z.object({ type: z.literal("progress"), started: z.number().int(), finished: z.number().int() }),
  z.object({ type: z.literal("document"), coll: z.string(), task: z.number().int() }),
  z.object({ type: z.literal("scope"), scope: scopeReportSchema }),
  z.object({
    type: z.literal("run.finished"),
    status: terminalRunStatusSchema,
    error: runError.nullable(),
    exitCode,
    tasks: z.array(taskRecord),
    collections: z.array(z.string()),
    startedAt: z.string(),
    endedAt: z.string(),
  }),
]);
export type ReportedEvent = z.infer<typeof reportedEventSchema>;

export const eventsRequestSchema = z
  .object({
    instance: instanceId,
    /** consecutive per run from 1; the hub applies each seq once, so a resent batch is harmless */
    events: z.array(z.object({ seq: z.number().int().min(1), event: reportedEventSchema })).min(1).max(EVENT_BATCH_LIMITS.events),
  })
  .strict();
export type EventsRequest = z.infer<typeof eventsRequestSchema>;

export interface EventsResponse {
  /** the highest seq the hub has recorded: the worker may drop everything up to it */
  acked: number;
  /** set when the run was cancelled meanwhile */
  cancel?: string;
}

const storedMeta = z.object({ runId: z.string(), owner: z.string(), at: z.string() }).passthrough();

export const storeRequestSchema = z.discriminatedUnion("op", [
  z.object({ instance: instanceId, op: z.literal("put"), coll: z.string(), task: z.number().int().min(0), fields: z.record(z.string(), z.unknown()), meta: storedMeta }),
  z.object({ instance: instanceId, op: z.literal("merge"), coll: z.string(), task: z.number().int().min(0), fields: z.record(z.string(), z.unknown()), meta: storedMeta }),
  z.object({
    instance: instanceId,
    op: z.literal("findOne"),
    coll: z.string(),
    task: z.number().int().min(0),
    query: z.record(z.string(), z.unknown()).nullable(),
    projection: z.record(z.string(), z.unknown()).nullable(),
  }),
  z.object({ instance: instanceId, op: z.literal("findRun"), coll: z.string() }),
  /** protocol 4: several tasks' documents, each replacing the task's document as `put` does */
  z.object({
    instance: instanceId,
    op: z.literal("putMany"),
    docs: z
      .array(z.object({ coll: z.string(), task: z.number().int().min(0), fields: z.record(z.string(), z.unknown()), meta: storedMeta }))
      .min(1)
      .max(STORE_BATCH_LIMITS.documents),
  }),
]);
export type StoreRequest = z.infer<typeof storeRequestSchema>;

/** `put`/`merge`: `{ok: true}`; `findOne`: `{doc}`; `findRun`: `{docs}`. */
export type StoreResponse = { ok: true } | { doc: Record<string, unknown> | null } | { docs: Record<string, unknown>[] };

/**
 * Every request but `register` names the instance asking in this header: the hub checks it (and
 * a download gets only what the runs that instance holds use) before it reads anything else.
 */
export const INSTANCE_HEADER = "x-levhub-instance";

/**
 * Every request's sequence number: a whole number from 1, new for every attempt (a retry is a new
 * request), greater than the client's previous ones. The hub admits a number once per instance,
 * and only within REQUEST_SEQ_WINDOW of the highest it admitted, so concurrent requests may arrive
 * out of order; anything else is refused with REPLAYED and changed nothing: the client may send it
 * again under a new number.
 */
export const REQUEST_SEQ_HEADER = "x-levhub-request-seq";
/** the hub keeps which of these were admitted in one bigint: at most 64 */
export const REQUEST_SEQ_WINDOW = 64;
/** the error code of a refused sequence number (HTTP 409) */
export const REPLAYED = "replayed";
export const requestSeqSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "a whole number from 1, in decimal")
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER));

/**
 * How the worker reaches the hub, as it reports when it asks for a run's secrets: a device gets
 * them only over `https` (or a unix socket on the hub's own machine), and only where the run's
 * project allows secrets on devices.
 */
export const HUB_SCHEMES = ["https", "http", "unix"] as const;
export type HubScheme = (typeof HUB_SCHEMES)[number];

/** The scheme of a worker's hub URL (`unix:/path` is a socket on the hub's machine). */
export function hubScheme(url: string): HubScheme {
  if (url.startsWith("unix:")) return "unix";
  return url.toLowerCase().startsWith("https:") ? "https" : "http";
}

export const secretsRequestSchema = z.object({ instance: instanceId, hubScheme: z.enum(HUB_SCHEMES) }).strict();
export type SecretsRequest = z.infer<typeof secretsRequestSchema>;

/**
 * The run's secret references resolved: id → `{kind: "secret", name, value}` (RunSpec.refs). The
 * worker holds them in memory for the run only; they are never written to its disk.
 */
export const secretsResponseSchema = z.object({ secrets: z.record(z.string(), runSecretSchema) }).strict();
export type SecretsResponse = z.infer<typeof secretsResponseSchema>;

export { sha256 as sha256Schema, instanceId as instanceIdSchema };
