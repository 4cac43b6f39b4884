import "server-only";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { InFlight } from "../platform/in-flight.ts";
import { AppError, notFound, validation } from "../errors.ts";
import { admitRequest, type WorkerRow } from "../queue/workers.ts";
import { credentialNoun, requestsInFlightLimit, WORKER_LIMITS } from "../queue/worker-limits.ts";
import { runLimitsOf } from "../runs/report-limits.ts";
import type { RunLimits } from "../../runner/src/policy/policy.ts";
import type { RunStatus } from "../../runner/src/status.ts";
import { EVENT_BATCH_LIMITS, INSTANCE_HEADER, instanceIdSchema, STORE_ENVELOPE_BYTES } from "../../runner/worker/protocol.ts";

/**
 * Every worker request is admitted here, before its body is read (the `admit` of its route,
 * lib/api/route.ts): a place among its credential's requests in flight (or its instance's one long
 * poll), then the instance it names in INSTANCE_HEADER — the caller's, live, and the request's
 * number new to it (admitRequest) — then, for a run's events and store, the run in the path, which
 * that instance must hold. Only then is the body read, under a cap sized to the request. Whatever
 * fails first answers (429, 422, 404, 410, 409) and nothing of the body is read.
 */

interface Counters {
  /** per credential: every request but long polls */
  requests: InFlight;
  /** per instance */
  polls: InFlight;
}
// one set per process, shared by every route module (Next may load the modules more than once)
const g = globalThis as typeof globalThis & { __levhubWorkerAdmission?: Counters };
const counters = (): Counters => (g.__levhubWorkerAdmission ??= { requests: new InFlight(), polls: new InFlight() });

/** What every admitted request carries to its handler. */
export interface Admitted {
  caller: WorkerCaller;
  release: () => void;
  maxBodyBytes?: number;
}

/** A request of one live instance of the caller's, admitted once. */
export interface AdmittedInstance extends Admitted {
  worker: WorkerRow;
}

/** A run as its holder's requests need it. */
export interface HeldRun {
  id: string;
  number: number;
  status: RunStatus;
  limits: RunLimits;
  owner: string;
  /** `lev.<ns>.<name>` */
  package: string;
  /** the collections it had written into when the request was admitted (they only ever grow) */
  collections: string[];
}

/** A request about a run the admitted instance holds. */
export interface AdmittedRun extends AdmittedInstance {
  run: HeldRun;
  maxBodyBytes: number;
}

/** A secrets request is `{instance, hubScheme}`: far less than this. */
const SECRETS_REQUEST_BYTES = 1024;

type AdmitInput = { worker: WorkerCaller; params: Readonly<Record<string, string>>; req: Request };

const busy = (message: string) => new AppError("rate_limited", message);

/** A place among the caller's requests in flight, or 429. */
function takeRequest(caller: WorkerCaller): () => void {
  const limit = requestsInFlightLimit(caller);
  const release = counters().requests.take(caller.credentialId, limit);
  if (!release) throw busy(`${credentialNoun(caller)} has ${limit} requests under way, the most it may have at once; send this one again when one of them has been answered`);
  return release;
}

/** The instance a request names in INSTANCE_HEADER (422 when it names none). */
function namedInstance(req: Request): string {
  const parsed = instanceIdSchema.safeParse(req.headers.get(INSTANCE_HEADER) ?? "");
  if (!parsed.success) throw validation(`name the worker instance sending this request in '${INSTANCE_HEADER}'`);
  return parsed.data;
}

/** Runs `admit` holding `release`, which is given back if it fails. */
async function holding<T>(release: () => void, admit: () => Promise<T>): Promise<T> {
  try {
    return await admit();
  } catch (err) {
    release();
    throw err;
  }
}

/** `POST /api/worker/register`: a place among the requests in flight (the instance limit is the registration's). */
export async function admitRegistration({ worker: caller }: AdmitInput): Promise<Admitted> {
  return { caller, release: takeRequest(caller) };
}

/** A heartbeat or a download (`GET /api/worker/packages|images/…`): a place among the requests in flight, then the instance named. */
export async function admitInstanceRequest({ worker: caller, req }: AdmitInput): Promise<AdmittedInstance> {
  const instance = namedInstance(req);
  const release = takeRequest(caller);
  return holding(release, async () => ({ caller, release, worker: await admitRequest(caller, instance) }));
}

/**
 * A long poll: admitted like any request (a place among the requests in flight while its instance
 * is checked), then it holds its instance's one poll place instead — a second poll of the instance
 * while the first waits is refused — and no place among the requests in flight while it waits.
 */
export async function admitPoll({ worker: caller, req }: AdmitInput): Promise<AdmittedInstance> {
  const instance = namedInstance(req);
  const admitting = takeRequest(caller);
  let worker: WorkerRow;
  try {
    worker = await admitRequest(caller, instance);
  } finally {
    admitting();
  }
  // keyed by an instance known to be the caller's: no caller can take another's place, nor make up keys
  const release = counters().polls.take(`${caller.credentialId}:${worker.instance}`, WORKER_LIMITS.pollsPerInstance);
  if (!release) throw busy("a long poll of this worker instance is already waiting; one at a time");
  return { caller, release, worker };
}

async function admitRun(input: AdmitInput, cap: (limits: RunLimits) => number): Promise<AdmittedRun> {
  const { worker: caller, params, req } = input;
  const instance = namedInstance(req);
  const release = takeRequest(caller);
  return holding(release, async () => {
    const worker = await admitRequest(caller, instance);
    // one statement: through Prisma the nested select was a query per relation, on every events and store request
    const [row] = await db().$queryRaw<
      { id: string; number: number; status: RunStatus; workerInstance: string | null; policy: Prisma.JsonValue; collections: string[]; owner: string; packageName: string; namespace: string }[]
    >`
      SELECT r.id, r.number, r.status::text AS status, r."workerInstance", r.policy, COALESCE(r.collections, ARRAY[]::text[]) AS collections, u.username AS owner, p.name AS "packageName", n.name AS namespace
        FROM "Run" r
        JOIN "User" u ON u.id = r."ownerId"
        JOIN "PackageVersion" v ON v.id = r."versionId"
        JOIN "Package" p ON p.id = v."packageId"
        JOIN "Namespace" n ON n.id = p."namespaceId"
       WHERE r.id = ${params.id}`;
    // a run this instance does not hold is none of its business: it reads like a missing one
    if (!row || row.workerInstance !== worker.instance) throw notFound("run");
    const limits = runLimitsOf(row.policy);
    const run: HeldRun = { id: row.id, number: row.number, status: row.status, limits, owner: row.owner, package: `lev.${row.namespace}.${row.packageName}`, collections: row.collections };
    return { caller, release, worker, run, maxBodyBytes: cap(limits) };
  });
}

/** `POST /api/worker/runs/{id}/events`: the run held by the instance; the body one batch at most. */
export function admitRunEvents(input: AdmitInput): Promise<AdmittedRun> {
  return admitRun(input, () => EVENT_BATCH_LIMITS.bytes);
}

/** `POST /api/worker/runs/{id}/store`: the run held by the instance; the body one of its documents at most (docBytes) and the request around it. */
export function admitRunStore(input: AdmitInput): Promise<AdmittedRun> {
  return admitRun(input, (limits) => limits.docBytes + STORE_ENVELOPE_BYTES);
}

/** `POST /api/worker/runs/{id}/secrets`: the run held by the instance; the body a few bytes (its instance and how it reaches the hub). */
export function admitRunSecrets(input: AdmitInput): Promise<AdmittedRun> {
  return admitRun(input, () => SECRETS_REQUEST_BYTES);
}

/** Requests under way now, for tests and diagnostics: per credential, and the long polls of one instance. */
export function underWay(credentialId: string, instance?: string): { requests: number; polls: number } {
  const c = counters();
  return { requests: c.requests.count(credentialId), polls: instance ? c.polls.count(`${credentialId}:${instance}`) : 0 };
}
