"use client";

import { useRef, useState } from "react";
import type { ManifestParam } from "../runner/src/manifest/introspect.ts";
import type { FileRefView } from "../lib/files/types.ts";
import { fileSize } from "./file-size.ts";

/** What a run form's file parameters need from the page. */
export interface FileFieldOptions {
  /** where a chosen file is uploaded first (`POST /api/files`) */
  uploadUrl: string;
  /** the admin's limit on one file: a bigger one is refused here, before a byte is sent (the server checks again) */
  maxBytes: number;
  /**
   * the project an upload goes to when the form has no project choice (a re-run's, a scan's); with a
   * choice (`<select name="project">`), the one chosen when the file is
   */
  project: string | null;
  /** the files the form's initial arguments reference (re-run, a scan's edit): shown as the current file */
  current: FileRefView[];
}

type Upload = { state: "idle" } | { state: "uploading"; name: string; size: number; sent: number } | { state: "done"; file: FileRefView };

/** The error message of a refused upload as the hub's one JSON error shape carries it. */
export function refusal(status: number, text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === "string" && message) return message;
  } catch {
    // not the hub's answer (a proxy's page): said by its status
  }
  return status === 0 ? "the upload broke off; choose the file again" : `the upload was refused (HTTP ${status})`;
}

/**
 * A file parameter: choosing a file uploads it at once (with its progress) and the form sends only
 * its reference id (`file.<param>`), never the bytes; a file over the limit is refused before
 * anything is sent. A form that starts from a reference (re-run, a scan's edit) shows the current
 * file, which a new choice replaces.
 */
export function FileField({
  param: p,
  name,
  value,
  error,
  options,
  onChange,
  onError,
  onUploading,
}: {
  param: ManifestParam;
  /** the hidden field holding the reference id */
  name: string;
  value: string;
  error: string | undefined;
  options: FileFieldOptions | undefined;
  onChange: (id: string) => void;
  onError: (message: string) => void;
  onUploading: (busy: boolean) => void;
}) {
  const id = `field-${p.name}`;
  const input = useRef<HTMLInputElement>(null);
  const [upload, setUpload] = useState<Upload>({ state: "idle" });
  const current = upload.state === "done" ? upload.file : (options?.current.find((f) => f.id === value) ?? null);
  const describedBy = [error ? `${id}-error` : null, `${id}-hint`].filter(Boolean).join(" ");

  const choose = (file: File | undefined) => {
    if (!file || !options) return;
    if (file.size > options.maxBytes) {
      if (input.current) input.current.value = "";
      onError(`${file.name} is ${fileSize(file.size)}; the limit for one file is ${fileSize(options.maxBytes)}`);
      return;
    }
    const chosen = input.current?.form?.elements.namedItem("project");
    const project = chosen instanceof HTMLSelectElement ? chosen.value : options.project;
    const body = new FormData();
    body.append("file", file);
    if (project) body.append("project", project);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", options.uploadUrl);
    xhr.upload.onprogress = (e) => setUpload({ state: "uploading", name: file.name, size: file.size, sent: e.loaded });
    const finish = (ok: FileRefView | null, message?: string) => {
      onUploading(false);
      if (input.current) input.current.value = "";
      if (ok) {
        setUpload({ state: "done", file: ok });
        onChange(ok.id);
      } else {
        setUpload({ state: "idle" });
        onChange("");
        onError(message ?? "the upload failed");
      }
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        const made = JSON.parse(xhr.responseText) as FileRefView;
        finish({ id: made.id, name: made.name, size: made.size });
      } else finish(null, refusal(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => finish(null, refusal(0, ""));
    onUploading(true);
    setUpload({ state: "uploading", name: file.name, size: file.size, sent: 0 });
    xhr.send(body);
  };

  return (
    <div>
      <label htmlFor={id} className="label">
        <span className="font-mono">{p.name}</span>
        {p.required && <span className="ml-1 text-red-700" aria-hidden>*</span>}
        {p.desc && <span className="ml-2 font-normal text-zinc-500">{p.desc}</span>}
      </label>
      <input type="hidden" name={name} value={value} />
      {current && upload.state !== "uploading" && (
        <p className="mt-1 flex flex-wrap items-center gap-2 text-sm" role="status" aria-label={`File for ${p.name}`}>
          <span>
            {upload.state === "done" ? "Uploaded" : "Current file"}: <span className="font-medium">{current.name}</span> <span className="text-zinc-500">({fileSize(current.size)})</span>
          </span>
          {!p.required && (
            <button type="button" className="btn" onClick={() => (setUpload({ state: "idle" }), onChange(""))}>
              Remove
            </button>
          )}
        </p>
      )}
      {!current && value !== "" && upload.state === "idle" && <p className="mt-1 text-sm text-zinc-600">A file you may not see any more is chosen: choose another.</p>}
      {upload.state === "uploading" && (
        <p className="mt-1 text-sm" role="status" aria-label={`File for ${p.name}`}>
          Uploading <span className="font-medium">{upload.name}</span>: {fileSize(upload.sent)} of {fileSize(upload.size)}
          <progress className="ml-2 align-middle" max={upload.size || 1} value={upload.sent} />
        </p>
      )}
      <input
        ref={input}
        id={id}
        type="file"
        disabled={!options || upload.state === "uploading"}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        aria-required={p.required || undefined}
        onChange={(e) => choose(e.target.files?.[0])}
        className="mt-1 block w-full text-sm file:mr-3 file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-zinc-50"
      />
      <p id={`${id}-hint`} className="hint">
        <span className="font-mono">file</span>
        {options && <> · at most {fileSize(options.maxBytes)}</>}
        {current && " · choosing another replaces it"}
        {!options && " · this form cannot take files"}
      </p>
      {error && <p id={`${id}-error`} className="field-error">{p.name} {error}</p>}
    </div>
  );
}
