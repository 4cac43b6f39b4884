import "server-only";
import { Readable } from "node:stream";
import { audit } from "../platform/audit.ts";
import type { ReportQuery } from "../schemas/reports.ts";
import type { Viewer } from "../types.ts";
import { REPORT_HTML_CSP, renderHtml } from "./html.ts";
import { projectReport, runReport } from "./load.ts";
import { renderMarkdown } from "./markdown.ts";
import { REPORT_CONTENT_TYPES, reportDigest, type ReportFormat, type ReportModel } from "./model.ts";
import { renderPdf } from "./pdf.ts";
import { runEvidence } from "./evidence.ts";

/** What a download route answers with: the body, its type, its file name, extra headers. */
export interface Download {
  body: ReadableStream<Uint8Array> | string;
  contentType: string;
  fileName: string;
  headers?: Record<string, string>;
}

export type ReportTarget = { project: string } | { run: string };

/**
 * A report rendered for download, audited (`report.download`, in the report's project, with its
 * format and digest). The PDF streams out of pdfkit; Markdown and HTML are bounded strings.
 */
export async function reportDownload(viewer: Viewer, target: ReportTarget, query: ReportQuery): Promise<Download> {
  const { model, projectId } = "project" in target ? await projectReport(viewer, target.project, { since: query.since }) : await runReport(viewer, target.run, { since: query.since });
  const stem = model.kind === "run" ? `levhub-${model.project.slug}-run-${model.runs.items[0]?.number ?? "run"}-report` : `levhub-${model.project.slug}-report`;
  await audit(viewer.id, "report.download", model.kind === "run" ? (model.runs.items[0]?.id ?? null) : model.project.slug, { kind: model.kind, format: query.format, since: model.since, sha256: reportDigest(model) }, { projectId });
  return { ...render(model, query.format), fileName: `${stem}.${query.format}` };
}

function render(model: ReportModel, format: ReportFormat): Omit<Download, "fileName"> {
  const contentType = REPORT_CONTENT_TYPES[format];
  if (format === "md") return { body: renderMarkdown(model), contentType };
  if (format === "html") return { body: renderHtml(model), contentType, headers: { "content-security-policy": REPORT_HTML_CSP } };
  return { body: Readable.toWeb(renderPdf(model)) as ReadableStream<Uint8Array>, contentType };
}

/** A run's evidence bundle for download, audited (`evidence.download`). */
export async function evidenceDownload(viewer: Viewer, ref: string): Promise<Download> {
  const { stream, fileName, run } = await runEvidence(viewer, ref);
  await audit(viewer.id, "evidence.download", run.id, { number: run.number }, { projectId: run.projectId });
  return { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, contentType: "application/gzip", fileName };
}

/** The response a download route sends: an attachment, never cached, never sniffed. */
export function downloadResponse(d: Download): Response {
  return new Response(d.body, {
    headers: {
      "content-type": d.contentType,
      "content-disposition": `attachment; filename="${d.fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...d.headers,
    },
  });
}
