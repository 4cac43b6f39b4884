/** Requests about runs (HTTP API and server actions): one schema per input, named by what it carries. */
import { z } from "zod";
import { runStatusSchema } from "../../runner/src/status.ts";

/** a run id in a path (`/api/runs/<id>`); anything else cannot name a run */
export const runIdSchema = z.string().min(1).max(64);
export const runParamsSchema = z.object({ id: runIdSchema });

/** parameter values by name; lib validates them against the function's manifest */
const runArgsSchema = z.record(z.string(), z.unknown()).default({});

/** one of the caller's devices, by name (`lev run --device <name>`); absent or null: the hub's workers */
const runDeviceSchema = z.string().min(1).max(64).nullish();

/** "pause before entry": tool tasks wait for a debugger before their entry (`lev run --debug-pause`) */
const runDebugPauseSchema = z.boolean().optional();

/** `POST /api/runs`: `{versionId, function, args, device?, debugPause?}` or `{package: "ns.name", version?, function, args, device?, debugPause?}` */
export const startRunBodySchema = z.union([
  z.object({ versionId: z.string().min(1).max(64), function: z.string().min(1).max(200), args: runArgsSchema, device: runDeviceSchema, debugPause: runDebugPauseSchema }),
  z.object({
    package: z.string().min(3).max(200),
    version: z.string().max(64).optional(),
    function: z.string().min(1).max(200),
    args: runArgsSchema,
    device: runDeviceSchema,
    debugPause: runDebugPauseSchema,
  }),
]);
export type StartRunBody = z.infer<typeof startRunBodySchema>;

/** `GET /api/runs?status=&package=&function=&page=&pageSize=&all=` */
export const listRunsQuerySchema = z.object({
  status: runStatusSchema.optional(),
  package: z.string().max(200).optional(),
  function: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  all: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

/** the cancel button of a run page */
export const cancelRunInputSchema = z.object({ runId: runIdSchema });
