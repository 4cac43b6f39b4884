/** Requests of the worker ↔ hub protocol: the schemas live in runner/worker/protocol.ts (both sides import them); paths here. */
import { z } from "zod";
import { runIdSchema } from "./runs.ts";
export {
  eventsRequestSchema,
  heartbeatRequestSchema,
  INSTANCE_HEADER,
  pollRequestSchema,
  registerRequestSchema,
  secretsRequestSchema,
  storeRequestSchema,
} from "../../runner/worker/protocol.ts";

/** An image id (`sha256:<hex>`) or a reference as a run's policy names it (`levhub/python:bookworm`). */
export const imageIdSchema = z.string().min(1).max(256).regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, "an image id or reference");

export const workerRunParamsSchema = z.object({ id: runIdSchema });
export const workerPackageParamsSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in hex") });
/** `GET /api/worker/files/{sha256}`: a file a held run was given, by its content's sha256 */
export const workerFileParamsSchema = workerPackageParamsSchema;
export const workerImageParamsSchema = z.object({ imageId: imageIdSchema });

/** Admin → Workers: a new worker credential */
export const createWorkerCredentialSchema = z.object({ name: z.string().trim().min(1, "give the credential a name").max(64, "at most 64 characters") });
export const revokeWorkerCredentialSchema = z.object({ id: z.string().min(1).max(64) });
/** Admin → Workers: runs at once in the hub and per user; runs waiting and saved scans per user; live instances per hub worker credential */
export const queueLimitsSchema = z.object({
  totalRuns: z.coerce.number("a whole number").int("a whole number").min(1, "at least 1").max(10_000, "at most 10000"),
  perUserRuns: z.coerce.number("a whole number").int("a whole number").min(1, "at least 1").max(10_000, "at most 10000"),
  queuedPerUser: z.coerce.number("a whole number").int("a whole number").min(1, "at least 1").max(100_000, "at most 100000"),
  scansPerUser: z.coerce.number("a whole number").int("a whole number").min(1, "at least 1").max(100_000, "at most 100000"),
  hubWorkerInstances: z.coerce.number("a whole number").int("a whole number").min(1, "at least 1").max(1000, "at most 1000"),
});
