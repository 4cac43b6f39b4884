/** Requests of the worker ↔ hub protocol: the schemas live in runner/worker/protocol.ts (both sides import them); paths here. */
import { z } from "zod";
import { imageIdSchema } from "../queue/worker-files.ts";
import { runIdSchema } from "./runs.ts";
export { eventsRequestSchema, heartbeatRequestSchema, pollRequestSchema, registerRequestSchema, storeRequestSchema } from "../../runner/worker/protocol.ts";

export const workerRunParamsSchema = z.object({ id: runIdSchema });
export const workerPackageParamsSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in hex") });
export const workerImageParamsSchema = z.object({ imageId: imageIdSchema });
