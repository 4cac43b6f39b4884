/**
 * Importing standard tool output into a project (pure): the formats the hub ships an importer for,
 * and the request that imports an uploaded report.
 */
import { z } from "zod";
import { refIdSchema } from "../../runner/src/refs.ts";

/** The formats, each imported by one function of the hub's `levhub.importers` package. */
export const IMPORT_FORMATS = ["nmap", "nuclei", "sarif"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const IMPORT_FORMAT_LABELS: Record<ImportFormat, string> = {
  nmap: "nmap XML (-oX)",
  nuclei: "nuclei JSON lines (-jsonl)",
  sarif: "SARIF 2.1.0",
};

export const importFormatSchema = z.enum(IMPORT_FORMATS, { error: `a format is one of ${IMPORT_FORMATS.join(", ")}` });

/** `POST /api/projects/{slug}/imports`: a report uploaded first (`POST /api/files`), by its id. */
export const importBodySchema = z.object({
  format: importFormatSchema,
  /** the id `POST /api/files` answered */
  file: refIdSchema,
});
export type ImportBody = z.infer<typeof importBodySchema>;
