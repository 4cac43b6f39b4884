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
 *
 * Errors use the hub's one JSON shape `{error: {code, message}}`; `gone` (410) on heartbeat/poll
 * means the hub declared this instance lost: the worker stops its runs and registers again.
 * 503 from the store means the results store is down: the worker keeps the document and retries.
 *
 * Every request carries a sequence number (REQUEST_SEQ_HEADER), new for each attempt and growing
 * per client; every request but `register` names its instance (in the body, or INSTANCE_HEADER on
 * downloads), and the hub admits each number once per instance (REPLAYED, 409, before anything is
 * done): a recorded request replayed verbatim does nothing.
 */
import { z } from "zod";
import { runPolicySchema } from "../src/policy/policy.ts";
import { runSecretSchema } from "../src/refs.ts";
import { reportedErrorTypeSchema, taskStatusSchema, terminalRunStatusSchema } from "../src/status.ts";

/** 2: every request carries REQUEST_SEQ_HEADER and names its instance (1 did not; such a worker cannot register) */
export const PROTOCOL_VERSION = 2;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in hex");
const instanceId = z.string().uuid();

export const workerLabelsSchema = z
  .object({
    /** the operator lets this engine run containers on its host network (granted runs only) */
    hostNetwork: z.boolean().default(false),
  })
  .strict();
export type WorkerLabels = z.infer<typeof workerLabelsSchema>;

export const registerRequestSchema = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    /** the software's version, shown to admins */
    version: z.string().max(64),
    engine: z.object({ host: z.string().max(256), version: z.string().max(64) }).strict(),
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

export interface HeartbeatResponse {
  cancel: CancelOrder[];
  /** runs the worker reported that the hub has already ended (cancelled while unreachable, …): stop them */
  ended: string[];
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
  timeoutMs?: number;
  /** 1 for the first attempt; a function that opts into retries may get more */
  attempt: number;
}

export interface PollResponse {
  assign: RunAssignment[];
  cancel: CancelOrder[];
}

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
const taskRecord = z.object({
  number: z.number().int().min(0),
  image: z.string(),
  schema: z.string(),
  coll: z.string(),
  host: z.string(),
  status: taskStatusSchema,
  exitCode: z.number().int().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  error: runError.nullable(),
  stored: z.boolean(),
  resolvedImage: z.string().nullish(),
});

/** The runner's own events (runner/src/types.ts `RunEvent`), as the worker saw them. */
export const reportedEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run.started"), at: z.string() }),
  z.object({ type: z.literal("task.started"), task: taskRecord }),
  z.object({ type: z.literal("task.finished"), task: taskRecord }),
  z.object({ type: z.literal("log"), log: logLine }),
  z.object({ type: z.literal("progress"), started: z.number().int(), finished: z.number().int() }),
  z.object({ type: z.literal("document"), coll: z.string(), task: z.number().int() }),
  z.object({
    type: z.literal("run.finished"),
    status: terminalRunStatusSchema,
    error: runError.nullable(),
    exitCode: z.number().int().nullable(),
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
    events: z.array(z.object({ seq: z.number().int().min(1), event: reportedEventSchema })).min(1).max(1000),
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
]);
export type StoreRequest = z.infer<typeof storeRequestSchema>;

/**
 * Downloads (GET packages, images) name the instance asking in this header: the hub serves only
 * what the runs that instance holds use.
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

/** `put`/`merge`: `{ok: true}`; `findOne`: `{doc}`; `findRun`: `{docs}`. */
export type StoreResponse = { ok: true } | { doc: Record<string, unknown> | null } | { docs: Record<string, unknown>[] };

export { sha256 as sha256Schema, instanceId as instanceIdSchema };
