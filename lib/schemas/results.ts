/**
 * Requests about stored results (HTTP API and the /results page): the filter every results query
 * shares, a documents page, an export, a chart. The page and the API parse search params alike.
 */
import { z } from "zod";
import { blankAsAbsent } from "../api/doc-registry.ts";
import { runIdSchema } from "./runs.ts";
import { projectSlugSchema } from "./projects.ts";

/** What a query may be: beyond these it is refused (422) before any SQL is built. */
export const QUERY_LIMITS = {
  /** characters of the text form, or of the JSON form's text */
  textLength: 2000,
  /** nesting of and/or/not and parentheses */
  depth: 12,
  /** comparisons in one query */
  comparisons: 40,
  /** segments of one path */
  pathSegments: 16,
  /** characters of one string value */
  stringLength: 500,
  /** characters of one $regex pattern */
  regexLength: 100,
  /** values of one $in / $nin list */
  listLength: 100,
} as const;

export const EXPORT_FORMATS = ["json", "ndjson", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const CHART_KINDS = ["top", "runs"] as const;
export const PAGE_LIMITS = { default: 50, max: 200 } as const;
/** fields a table or a CSV export may pick */
export const MAX_FIELDS = 50;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** `2026-11-24` (a whole day) or an ISO date-time with its offset */
const when = (end: boolean) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "a date (YYYY-MM-DD) or an ISO date-time" })
    .transform((v) => {
      const d = new Date(DAY.test(v) ? `${v}T00:00:00Z` : v);
      // a day as the end of a range includes that whole day
      if (end && DAY.test(v)) d.setUTCDate(d.getUTCDate() + 1);
      return d;
    });

const optional = blankAsAbsent;

/** What every results query filters by (besides who asks). */
export const resultFilterSchema = z.object({
  /** one project, by slug (within the projects the caller may read) */
  project: optional(projectSlugSchema),
  /** a collection name: namespace path and schema joined by `|` */
  coll: optional(z.string().min(1).max(300)),
  run: optional(runIdSchema),
  /** `ns.name` */
  package: optional(z.string().regex(/^[^.\s]{1,64}\.[^.\s]{1,64}$/, "expected <namespace>.<name>")),
  /** the run's function, as the run list shows it (`greet.hi`) */
  function: optional(z.string().min(1).max(200)),
  from: optional(when(false)),
  to: optional(when(true)),
  /** a field query: the text language or the JSON form (lib/results/query.ts) */
  q: optional(z.string().max(QUERY_LIMITS.textLength)),
});
export type ResultFilter = z.output<typeof resultFilterSchema>;

/** keyset cursor: the last id of the previous page */
const cursor = optional(z.string().regex(/^\d{1,18}$/, "the 'next' value of the previous page"));

const fieldList = optional(
  z
    .string()
    .max(4000)
    .transform((s) => [...new Set(s.split(",").map((f) => f.trim()).filter(Boolean))])
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9_-]{1,100}){0,15}$/, "fields are dotted paths of letters, digits, _ and -")).max(MAX_FIELDS)),
);

/** `GET /api/results/documents?<filter>&after=&limit=` */
export const documentsQuerySchema = resultFilterSchema.extend({
  after: cursor,
  limit: optional(z.coerce.number().int().min(1).max(PAGE_LIMITS.max)),
});

/** `flatten=hosts[].ports[]`: a path ending in a list, whose items are the CSV's rows (`lib/results/flatten.ts`) */
export const FLATTEN_PATH = /^[A-Za-z0-9_-]{1,100}(\[\])?(\.[A-Za-z0-9_-]{1,100}(\[\])?){0,15}\[\]$/;
const flattenPath = optional(z.string().max(400).regex(FLATTEN_PATH, "a path ending in a list, lists marked with [] ('hosts[].ports[]')"));

/**
 * `GET /api/results/export?<filter>&format=json|ndjson|csv&fields=a,b.c&flatten=hosts[].ports[]`
 * (fields: the CSV columns; flatten: one CSV row per item of that list)
 */
export const exportQuerySchema = resultFilterSchema
  .extend({
    format: z.enum(EXPORT_FORMATS, { error: `format is one of ${EXPORT_FORMATS.join(", ")}` }),
    fields: fieldList,
    flatten: flattenPath,
  })
  .refine((q) => q.flatten === undefined || q.format === "csv", { message: "flatten makes rows of a CSV export: use format=csv", path: ["flatten"] });

/** `GET /api/results/chart?<filter>&kind=top&field=ports.port` or `kind=runs` (documents per run over time) */
export const chartQuerySchema = resultFilterSchema
  .extend({
    kind: z.enum(CHART_KINDS),
    field: optional(z.string().regex(/^[A-Za-z0-9_-]{1,100}(\[\])?(\.[A-Za-z0-9_-]{1,100}(\[\])?){0,15}$/, "a dotted field path")),
    limit: optional(z.coerce.number().int().min(1).max(50)),
  })
  .refine((v) => v.kind !== "top" || v.field, { message: "name the field whose top values to chart", path: ["field"] });

/** `GET /api/results/documents/<id>`: one whole document */
export const documentParamsSchema = z.object({ id: z.string().regex(/^\d{1,18}$/, "a document id") });

/** `GET /api/runs/<id>/documents?after=&limit=` */
export const runDocumentsQuerySchema = z.object({ after: cursor, limit: optional(z.coerce.number().int().min(1).max(PAGE_LIMITS.max)) });
