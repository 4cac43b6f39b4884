/** Requests about saved scans and re-runs (HTTP API and server actions). */
import { z } from "zod";
import { packageRefSchema, runIdSchema } from "./runs.ts";
import { projectSlugSchema } from "./projects.ts";

export const MAX_SCAN_NAME = 100;
export const MAX_CRON_LENGTH = 120;

export const scanIdSchema = z.string().min(1).max(64);
export const scanParamsSchema = z.object({ id: scanIdSchema });

/** a name people read in lists: one line, trimmed, 1–100 characters */
export const scanNameSchema = z
  .string()
  .trim()
  .min(1, "a name is required")
  .max(MAX_SCAN_NAME, `at most ${MAX_SCAN_NAME} characters`)
  .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), "one line of printable text")
  // the two rules above as the OpenAPI document can say them: no control character, not blank
  .meta({ pattern: "^[^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f\\s\\ufeff][^\\u0000-\\u001f\\u007f]*$" });

/** a cron expression (checked by lib: `nextFireTime`); null or "" = no schedule, run by hand only */
const cronSchema = z
  .string()
  .trim()
  .max(MAX_CRON_LENGTH)
  .nullable()
  .transform((v) => (v ? v : null));
/** an IANA zone name (checked against the runtime's zone list by lib); a pattern the OpenAPI document states */
const timezoneSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, "an IANA time zone such as Europe/Warsaw or UTC")
  .max(64);
const argsSchema = z.record(z.string(), z.unknown());

/** `POST /api/scans`: version omitted or null = always the package's latest version; project omitted = the caller's personal project */
export const createScanBodySchema = z.object({
  name: scanNameSchema,
  project: projectSlugSchema.nullish(),
  package: packageRefSchema,
  version: z.string().min(1).max(64).nullable().optional(),
  function: z.string().min(1).max(200),
  args: argsSchema.default({}),
  cron: cronSchema.optional(),
  timezone: timezoneSchema.optional(),
  enabled: z.boolean().optional(),
});
export type CreateScanBody = z.infer<typeof createScanBodySchema>;

/** `PATCH /api/scans/{id}`: only the fields given change */
export const updateScanBodySchema = z
  .object({
    name: scanNameSchema,
    version: z.string().min(1).max(64).nullable(),
    function: z.string().min(1).max(200),
    args: argsSchema,
    cron: cronSchema,
    timezone: timezoneSchema,
    enabled: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change")
  // the refinement above, as the OpenAPI document can say it
  .meta({ minProperties: 1 });
export type UpdateScanBody = z.infer<typeof updateScanBodySchema>;

/** `GET /api/scans?project=&all=` (`all=false`: only the scans the caller made) */
export const listScansQuerySchema = z.object({
  project: projectSlugSchema.optional(),
  all: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

/** `POST /api/runs/{id}/rerun`: the same version unless `latest`, the same arguments unless `args` */
export const rerunBodySchema = z.object({
  latest: z.boolean().optional(),
  args: argsSchema.optional(),
});
export type RerunBody = z.infer<typeof rerunBodySchema>;

/** "Save as scan" on a run page: the run's package, function and arguments under a name */
export const saveRunAsScanInputSchema = z.object({
  runId: runIdSchema,
  name: scanNameSchema,
  cron: cronSchema.optional(),
  timezone: timezoneSchema.optional(),
  /** keep the run's version instead of following the package's latest */
  pinVersion: z.boolean().optional(),
});

/** a scan's edit form: the scan and the fields of `PATCH /api/scans/{id}` it changes */
export const editScanInputSchema = z.object({ scanId: scanIdSchema, patch: updateScanBodySchema });

/** the buttons of the scans list and a scan page */
export const scanRefInputSchema = z.object({ scanId: scanIdSchema });
export const setScanEnabledInputSchema = z.object({ scanId: scanIdSchema, enabled: z.boolean() });
export const rerunInputSchema = z.object({ runId: runIdSchema, latest: z.boolean().optional(), args: argsSchema.optional() });
