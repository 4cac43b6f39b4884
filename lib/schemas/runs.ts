/** Requests about runs (HTTP API and server actions): one schema per input, named by what it carries. */
import { z } from "zod";
import { runStatusSchema } from "../../runner/src/status.ts";
import { projectSlugSchema } from "./projects.ts";

/**
 * A run as people name it: its number (`12` or `#12`, what pages, lists and the CLI show; hub-wide,
 * `_id.job` of its documents) or its id (`/runs/<id>` links). Ids are cuids, which start with a
 * letter, so a run of digits is always a number.
 */
export type RunRef = { number: number } | { id: string };

/** Run numbers are PostgreSQL integers. */
const MAX_RUN_NUMBER = 2_147_483_647;

/** `#12`, `12` → the number; an id as it is; null for what names no run (empty, too long, a number out of range). */
export function parseRunRef(text: string): RunRef | null {
  if (typeof text !== "string") return null;
  const t = text.trim();
  const n = /^#?(\d+)$/.exec(t);
  if (n) {
    const number = Number(n[1]);
    return number >= 1 && number <= MAX_RUN_NUMBER ? { number } : null;
  }
  return t.length >= 1 && t.length <= 64 && !t.startsWith("#") ? { id: t } : null;
}

/** a run in a path (`/api/runs/<id or number>`) or a field: its id, `12` or `#12` (lib resolves it through the viewer's rights) */
export const runIdSchema = z
  .string()
  .trim()
  .regex(/^#?[A-Za-z0-9_-]{1,64}$/, "a run's id, or its number (12 or #12)");
export const runParamsSchema = z.object({ id: runIdSchema });

/** `ns.name`: the form a package is named by in runs and scans (lib/runs/target.ts reads it) */
export const packageRefSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, "expected <namespace>.<name>");

/** parameter values by name; lib validates them against the function's manifest */
const runArgsSchema = z.record(z.string(), z.unknown()).default({});

/** one of the caller's devices, by name (`lev run --device <name>`); absent or null: the hub's workers */
const runDeviceSchema = z.string().min(1).max(64).nullish();

/** the project the run goes to, by slug; absent or null: the caller's personal project */
const runProjectSchema = projectSlugSchema.nullish();

/** "pause before entry": tool tasks wait for a debugger before their entry (`lev run --debug-pause`) */
const runDebugPauseSchema = z.boolean().optional();

/** `POST /api/runs`: `{versionId, function, args, device?, project?, debugPause?}` or `{package: "ns.name", version?, function, args, device?, project?, debugPause?}` */
export const startRunBodySchema = z.union([
  z.object({
    versionId: z.string().min(1).max(64),
    function: z.string().min(1).max(200),
    args: runArgsSchema,
    device: runDeviceSchema,
    project: runProjectSchema,
    debugPause: runDebugPauseSchema,
  }),
  z.object({
    package: packageRefSchema,
    version: z.string().max(64).optional(),
    function: z.string().min(1).max(200),
    args: runArgsSchema,
    device: runDeviceSchema,
    project: runProjectSchema,
    debugPause: runDebugPauseSchema,
  }),
]);
export type StartRunBody = z.infer<typeof startRunBodySchema>;

/** `GET /api/runs?status=&package=&function=&project=&page=&pageSize=&all=` */
export const listRunsQuerySchema = z.object({
  status: runStatusSchema.optional(),
  project: projectSlugSchema.optional(),
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
