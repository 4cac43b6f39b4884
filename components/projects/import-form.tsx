"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { IMPORT_FORMATS, IMPORT_FORMAT_LABELS, type ImportFormat } from "../../lib/schemas/imports.ts";
import type { RunSummary } from "../../lib/types.ts";
import { refusal } from "../file-field.tsx";
import { fileSize } from "../file-size.ts";

/**
 * Project page → Import results: a report uploaded to the project (`POST /api/files`), then imported
 * (`POST /api/projects/{slug}/imports`: a run of the hub's importer); the run's page shows it being
 * parsed, and its hosts, services and findings join the project's. A file over the admin's limit is
 * refused here before a byte is sent (the hub checks again).
 */
export function ImportForm({ slug, maxBytes }: { slug: string; maxBytes: number }) {
  const router = useRouter();
  const [format, setFormat] = useState<ImportFormat>("nmap");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const file = (e.currentTarget.elements.namedItem("report") as HTMLInputElement | null)?.files?.[0];
    setError(null);
    if (!file) return setError("choose a report file");
    if (file.size > maxBytes) return setError(`${file.name} is ${fileSize(file.size)}; the limit for one file is ${fileSize(maxBytes)}`);
    try {
      setBusy("Uploading …");
      const body = new FormData();
      body.append("file", file);
      body.append("project", slug);
      const up = await fetch("/api/files", { method: "POST", body });
      if (up.status !== 201) return setError(refusal(up.status, await up.text()));
      const { id } = (await up.json()) as { id: string };
      setBusy("Starting the import …");
      const started = await fetch(`/api/projects/${encodeURIComponent(slug)}/imports`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ format, file: id }) });
      if (started.status !== 201) return setError(refusal(started.status, await started.text()));
      const run = (await started.json()) as RunSummary;
      router.push(`/runs/${run.id}`);
    } catch {
      setError(refusal(0, ""));
    } finally {
      setBusy(null);
    }
  };

  return (
    <form onSubmit={submit} className="card flex flex-wrap items-end gap-3 p-3" aria-label="Import results">
      <div>
        <label htmlFor="import-format" className="label">Format</label>
        <select id="import-format" name="format" className="input mt-1" value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)}>
          {IMPORT_FORMATS.map((f) => (
            <option key={f} value={f}>{IMPORT_FORMAT_LABELS[f]}</option>
          ))}
        </select>
      </div>
      <div className="min-w-0 flex-1">
        <label htmlFor="import-report" className="label">Report</label>
        <input id="import-report" name="report" type="file" className="input mt-1" aria-describedby="import-hint" />
        <p id="import-hint" className="hint">Parsed in a sandbox (no network, entities never expanded); up to {fileSize(maxBytes)}. Hosts, services and findings join this project&apos;s.</p>
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy !== null}>{busy ?? "Import"}</button>
      {error && <p className="field-error w-full" role="alert">{error}</p>}
    </form>
  );
}
