/** Requests about packages (HTTP API): browse, one package, upload. */
import { z } from "zod";
import { MIB } from "../api/body.ts";
import { UPLOAD_LIMITS } from "../packages/extract.ts";

/**
 * `GET /api/packages?q=&tactic=&category=&tag=&kind=&official=true&page=&pageSize=`: the browse page's query,
 * kept in lib/catalog.ts next to the search it drives (the page and the API parse it alike).
 */
export { browseQuerySchema } from "../catalog.ts";

const segment = z.string().min(1).max(64);
/** `/api/packages/<ns>/<name>` */
export const packageParamsSchema = z.object({ ns: segment, name: segment });
/** `?version=` (default: the latest) */
export const packageQuerySchema = z.object({ version: z.string().min(1).max(64).optional() });

/** multipart overhead allowed above the archive itself */
const MULTIPART_SLACK_BYTES = MIB;
/** the cap on `POST /api/packages`: the archive limit plus the multipart envelope */
export const UPLOAD_BODY_MAX_BYTES = UPLOAD_LIMITS.archiveBytes + MULTIPART_SLACK_BYTES;

/** the fields of `POST /api/packages` (multipart): `file` = the archive, `private=true|on` */
export const uploadFormSchema = z.object({
  file: z.file("the field 'file' must hold the archive (.zip, .tar.gz or .whl)"),
  private: z
    .string()
    .max(16)
    .optional()
    // tri-state: "true" private, "false" public, absent: public when new, unchanged when it exists
    .transform((v) => (v === "true" || v === "on" ? true : v === "false" ? false : undefined)),
});

/** `/api/packages/<ns>/<name>/versions/<version>[/archive]`: a published version or `latest` */
export const versionParamsSchema = z.object({
  ns: segment,
  name: segment,
  version: z.string().regex(/^(latest|[0-9][0-9A-Za-z.+!_-]{0,63})$/, "a version (e.g. 1.0.2) or 'latest'"),
});
