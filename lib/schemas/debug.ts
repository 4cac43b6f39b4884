/** Requests about debug terminals (lib/debug): opening one, what is typed into it, a worker's side. */
import { z } from "zod";
import { DEBUG_LIMITS, terminalSizeSchema } from "../../runner/worker/debug-protocol.ts";
import { runIdSchema } from "./runs.ts";

export { debugOutputRequestSchema, debugStreamRequestSchema } from "../../runner/worker/debug-protocol.ts";

/** a debug session id in a path: the hub's own ids (letters and digits) */
export const debugSessionParamsSchema = z.object({ session: z.string().regex(/^[a-z0-9]{8,64}$/, "a debug session id") });
export const debugRunParamsSchema = z.object({ id: runIdSchema });

/** `POST /api/runs/{id}/debug`: which task, and the terminal's size */
export const openDebugBodySchema = z
  .object({ task: z.number().int().min(1).max(1_000_000) })
  .extend(terminalSizeSchema.shape)
  .strict();

/** `POST /api/debug/{session}/input`: text typed, a new size, or continue (a task paused before its entry) */
export const debugInputBodySchema = z.union([
  z.object({ data: z.string().min(1).max(DEBUG_LIMITS.inputBytes) }).strict(),
  z.object({ resize: terminalSizeSchema }).strict(),
  z.object({ continue: z.literal(true) }).strict(),
]);
