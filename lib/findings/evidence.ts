/**
 * Evidence of a finding (pure): the value that shows it, kept as an excerpt with the sha256 of the
 * whole value, and where it was (collection, run, task and the field's concrete path). The hash
 * and the path outlive the document: retention may delete documents, never the proof they held.
 */
import { createHash } from "node:crypto";
import { storable } from "./values.ts";

/** Characters of a value's JSON kept with the finding; the sha256 covers all of it. */
export const EVIDENCE_EXCERPT_CHARS = 2_000;

/** JSON with object keys sorted (list order kept: it is part of the evidence), so one value has one text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(",")}}`;
  }
  if (value === undefined || (typeof value === "number" && !Number.isFinite(value))) return "null";
  return JSON.stringify(value) ?? "null";
}

export interface Evidence {
  /** the field's concrete path in the document (`hosts[0].ports[2]`; "" for the whole document) */
  path: string;
  /** the value's JSON (a text value: the text), cut to EVIDENCE_EXCERPT_CHARS */
  excerpt: string;
  /** sha256 (hex) of the whole value's JSON */
  sha256: string;
}

export function evidenceOf(value: unknown, path: string): Evidence {
  const text = typeof value === "string" ? value : stableJson(value);
  return { path, excerpt: storable(text, EVIDENCE_EXCERPT_CHARS), sha256: createHash("sha256").update(text).digest("hex") };
}
