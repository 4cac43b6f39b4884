import "server-only";
/**
 * Imports of standard tool output: a run of the hub's importer package in the project, given the
 * uploaded report. No second ingest path: the importer parses the report in its tool container and
 * stores a document; the package's mappings make it the project's assets and findings (dedupe,
 * reopen, audit, events) as for any run.
 */
import { REF_KEY } from "../../runner/src/refs.ts";
import type { ImportBody, ImportFormat } from "../schemas/imports.ts";
import type { RunSummary, Viewer } from "../types.ts";
import { startRun } from "../runs/submit.ts";

/** The package shipped in examples/levhub.importers (published by `npm start`). */
export const IMPORTER_PACKAGE = "levhub.importers";

/** The importer function of each format; each takes the report as its file parameter `report`. */
export const IMPORTER_FUNCTIONS: Record<ImportFormat, string> = {
  nmap: "formats.nmap_xml",
  nuclei: "formats.nuclei_jsonl",
  sarif: "formats.sarif",
};

/**
 * Starts the import of an uploaded report into a project: a run of the format's importer (its latest
 * version the viewer sees) with the file as its `report`, through `startRun` — the project's rights
 * and window, the file's reference rights (404 for a file the viewer may not use) and the run's
 * policy all apply as for any run.
 */
export function startImport(viewer: Viewer, slug: string, body: ImportBody): Promise<RunSummary> {
  return startRun(viewer, {
    package: IMPORTER_PACKAGE,
    function: IMPORTER_FUNCTIONS[body.format],
    args: { report: { [REF_KEY]: "file", id: body.file } },
    project: slug,
  });
}
