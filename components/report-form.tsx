import type { ReportFormat } from "../lib/reports/model.ts";

/** Every format of the closed set (the Record's type keeps it whole), PDF first. */
const FORMAT_LABELS: Record<ReportFormat, string> = { pdf: "PDF", html: "HTML", md: "Markdown" };

/**
 * Download a report: a plain GET form to the report's API route (the browser's session is the
 * caller), its format and an optional "changes since" day. No script: the download is the
 * browser's own. `evidenceHref`: the run's evidence bundle beside it.
 */
export function ReportForm({ action, what, evidenceHref }: { action: string; what: string; evidenceHref?: string }) {
  return (
    <form method="get" action={action} aria-label={`Report on ${what}`} className="flex flex-wrap items-end gap-2 text-sm">
      <label className="flex flex-col text-xs text-zinc-500">
        Report format
        <select name="format" defaultValue="pdf" className="input mt-0.5 py-1 text-sm">
          {(Object.keys(FORMAT_LABELS) as ReportFormat[]).map((f) => (
            <option key={f} value={f}>
              {FORMAT_LABELS[f]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-xs text-zinc-500">
        Changes since (optional)
        <input type="date" name="since" className="input mt-0.5 py-1 text-sm" />
      </label>
      <button type="submit" className="btn py-1">Download report</button>
      {evidenceHref && (
        <a href={evidenceHref} className="btn py-1" download>
          Evidence bundle (tar.gz)
        </a>
      )}
    </form>
  );
}
