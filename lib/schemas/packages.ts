/** Requests about packages (HTTP API): browse, one package, upload. */
import { z } from "zod";
import { MIB } from "../api/body.ts";
import { blankAsAbsent } from "../api/doc-registry.ts";
import { UPLOAD_LIMITS } from "../packages/upload-limits.ts";

/**
 * `GET /api/packages?q=&tactic=&category=&tag=&kind=&official=true&page=&pageSize=`: the browse page's query
 * (the page, the API and the catalog's search, lib/catalog/search.ts, parse it alike).
 */
const one = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().trim().max(200).optional());
/** Parses page search params (`?q=&tactic=&category=&tag=&kind=&official=&page=`); bad values become defaults. */
export const browseQuerySchema = z.object({
  q: one.transform((v) => v || undefined),
  tactic: one.transform((v) => v || undefined),
  category: one.transform((v) => v || undefined),
  tag: one.transform((v) => v?.toLowerCase() || undefined),
  kind: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.enum(["tool", "workflow"]).optional().catch(undefined)),
  // `?official=true` from a link; `true` again when browse() re-parses a parsed query
  official: z.preprocess((v) => {
    const x = Array.isArray(v) ? v[0] : v;
    return x === true || x === "true" ? true : undefined;
  }, z.literal(true).optional()),
  page: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.coerce.number().int().min(1).max(10_000).optional().catch(undefined)),
  pageSize: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.coerce.number().int().min(1).max(100).optional().catch(undefined)),
});

export type ParsedBrowseQuery = z.infer<typeof browseQuerySchema>;

/** A browse filter's text in the API: trimmed, at most 200 characters; blank is the same as absent. */
const filterText = blankAsAbsent(z.string().trim().max(200));

/**
 * `GET /api/packages`: the browse query, strictly. A page link may carry anything and falls back to
 * defaults (browseQuerySchema); an API client is told what is wrong instead (422), so the
 * OpenAPI document can say exactly what is accepted.
 */
export const browseApiQuerySchema = z.object({
  q: filterText,
  tactic: filterText,
  category: filterText,
  tag: filterText.transform((v) => v?.toLowerCase()),
  kind: z.enum(["tool", "workflow"]).optional(),
  official: z
    .enum(["true", "false"])
    .transform((v) => (v === "true" ? (true as const) : undefined))
    .optional(),
  page: z.coerce.number().int().min(1).max(10_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
});

const segment = z.string().min(1).max(64);
/** `/api/packages/<ns>/<name>` */
export const packageParamsSchema = z.object({ ns: segment, name: segment });
/** `?version=` (default: the latest) */
export const packageQuerySchema = z.object({ version: z.string().min(1).max(64).optional() });

/** multipart overhead allowed above the archive itself */
const MULTIPART_SLACK_BYTES = MIB;
/** the cap on `POST /api/packages`: the archive limit plus the multipart envelope */
export const UPLOAD_BODY_MAX_BYTES = UPLOAD_LIMITS.archiveBytes + MULTIPART_SLACK_BYTES;

/** the fields of `POST /api/packages` (multipart): `file` = the archive, `private=true|false` */
export const uploadFormSchema = z.object({
  file: z.file("the field 'file' must hold the archive (.zip, .tar.gz or .whl)"),
  private: z
    .string()
    .max(16)
    .optional()
    .describe("true: private; false: public; absent: private when the package is new, unchanged when it exists")
    // tri-state: "true" private, "false" public, absent: private when new, unchanged when it exists
    .transform((v) => (v === "true" || v === "on" ? true : v === "false" ? false : undefined)),
}).strict();

/** `/api/packages/<ns>/<name>/versions/<version>[/archive]`: a published version or `latest` */
export const versionParamsSchema = z.object({
  ns: segment,
  name: segment,
  version: z.string().regex(/^(latest|[0-9][0-9A-Za-z.+!_-]{0,63})$/, "a version (e.g. 1.0.2) or 'latest'"),
});

/** The package page's delete form: the package, a version of it (empty: the whole package) and the typed confirmation. */
export const deletePackageInputSchema = z.object({
  namespace: z.string().trim().regex(/^[A-Za-z_]\w{0,63}$/, "a namespace name"),
  name: z.string().trim().regex(/^[A-Za-z_]\w{0,127}$/, "a package name"),
  version: z
    .string()
    .trim()
    .max(64)
    .transform((v) => v || null),
  confirm: z.string().max(300),
});
