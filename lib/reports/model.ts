/**
 * The engagement report's model: what a report says, built once from the database by
 * `load.ts` and rendered by three pure renderers (Markdown, HTML, PDF) that never reach past it.
 * Pure: every text in it came from containers, uploads or users and is hostile; the renderers
 * escape it for their format, and `plainText` here takes away what no format should carry
 * (control characters, bidirectional overrides) before they do.
 */
import { createHash } from "node:crypto";
import { FINDING_SEVERITIES, type FindingSeverity, type FindingState } from "../schemas/finding-vocabulary.ts";

export const REPORT_FORMATS = ["md", "html", "pdf"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
};

/**
 * What one report lists in full; the rest is counted. A report over a project with a million
 * findings stays a few megabytes whatever its format.
 */
export const REPORT_CAPS = {
  /** findings listed in full per severity */
  findingsPerSeverity: 200,
  /** evidence rows shown per finding (newest first) */
  evidencePerFinding: 3,
  /** characters of one evidence excerpt */
  excerptChars: 1_000,
  /** runs listed under "what ran" */
  runs: 200,
  /** tasks listed per run */
  tasksPerRun: 50,
  /** characters of a run's arguments (JSON) */
  argsChars: 2_000,
  hosts: 1_000,
  services: 2_000,
  origins: 1_000,
  /** characters of any other single text (titles, names, notes) */
  textChars: 500,
} as const;

export interface ReportRun {
  id: string;
  number: number;
  package: string;
  version: string;
  function: string;
  owner: string;
  status: string;
  trigger: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** sha256 of the package archive, when it was uploaded as one */
  archiveSha256: string | null;
  /** the package's built image's digest, when it has one */
  imageDigest: string | null;
  /** the arguments as JSON (files and secrets are references, never contents or values), capped */
  args: string;
  tasks: { number: number; image: string; resolvedImage: string | null; status: string }[];
  tasksTotal: number;
}

export interface ReportEvidence {
  run: number;
  coll: string;
  task: number;
  path: string;
  excerpt: string;
  sha256: string;
  seenAt: string;
}

export interface ReportFinding {
  id: string;
  title: string;
  severity: FindingSeverity;
  state: FindingState;
  /** the asset it is about ("10.0.0.5:443/tcp", "https://a.example:443", "" for the project) */
  asset: string;
  tool: string;
  firstSeen: string;
  lastSeen: string;
  note: string;
  evidence: ReportEvidence[];
  evidenceTotal: number;
}

export interface ReportService {
  address: string;
  protocol: string;
  port: number;
  state: string | null;
  service: string | null;
  product: string | null;
  version: string | null;
  firstSeen: string;
  lastSeen: string;
}

export interface Listed<T> {
  items: T[];
  /** how many there are in all (items is the first `REPORT_CAPS` of them) */
  total: number;
}

export interface ReportModel {
  kind: "project" | "run";
  /** what the report is about: "Project acme-web" or "Run #12 in acme-web" */
  title: string;
  generatedAt: string;
  generatedBy: string;
  /** "what changed since" this instant (null: no such section) */
  since: string | null;
  project: { slug: string; name: string; client: string; description: string; windowStart: string | null; windowEnd: string | null };
  /** the scope (the project's, or the one a run's policy carried); null: unscoped */
  scope: { allow: string[]; exclude: string[]; services: string[] } | null;
  runs: Listed<ReportRun>;
  hosts: Listed<{ address: string; names: string[]; firstSeen: string; lastSeen: string }>;
  services: Listed<ReportService>;
  origins: Listed<{ origin: string; firstSeen: string; lastSeen: string }>;
  /** worst first, every severity present (total 0 when none) */
  findings: { severity: FindingSeverity; total: number; items: ReportFinding[] }[];
  /** what is new since `since`: assets and findings first seen at or after it */
  changes: { hosts: Listed<string>; services: Listed<string>; findings: Listed<{ severity: FindingSeverity; title: string; asset: string }> } | null;
}

/** Severities worst first, the order every report lists them in. */
export const SEVERITIES_WORST_FIRST: readonly FindingSeverity[] = [...FINDING_SEVERITIES].reverse();

// C0/C1 controls except tab and newline, bidirectional embeddings/overrides/isolates, marks that
// reorder or hide text, line/paragraph separators and BOM/zero-width characters.
// eslint-disable-next-line no-control-regex -- control characters are what it replaces
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/**
 * A hostile text as plain text: what reorders, hides or controls a display replaced by U+FFFD
 * (so a reader sees that something was there), carriage returns made newlines, capped at `max`
 * characters (the cut said with "…"). Every text the model holds has been through it.
 */
export function plainText(value: string, max: number = REPORT_CAPS.textChars): string {
  const text = value.replace(/\r\n?/g, "\n").replace(UNSAFE, "\ufffd");
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
}

/** A one-line text (names, titles, table cells): newlines and tabs as spaces. */
export const lineText = (value: string, max: number = REPORT_CAPS.textChars): string => plainText(value.replace(/[\t\n\r]+/g, " "), max);

/** The model's fingerprint: sha256 of its JSON, printed in every rendering's footer. */
export function reportDigest(model: ReportModel): string {
  return createHash("sha256").update(JSON.stringify(model)).digest("hex");
}

/** A finding's or a service's asset as one text. */
export function serviceText(s: { address: string; port: number; protocol: string }): string {
  return `${s.address.includes(":") ? `[${s.address}]` : s.address}:${s.port}/${s.protocol}`;
}

/** A run's arguments as JSON capped for the report. */
export function argsText(args: unknown): string {
  return plainText(JSON.stringify(args ?? {}), REPORT_CAPS.argsChars);
}

/** "3 of 1 204 listed" when a list was cut, "" when it is whole. */
export function cutNote(list: { items: readonly unknown[]; total: number }, what: string): string {
  return list.total > list.items.length ? `${list.items.length} of ${list.total} ${what} listed; the rest counted only.` : "";
}

export const formatWhen = (iso: string | null): string => (iso === null ? "—" : iso.replace("T", " ").replace(/\.\d+Z$/, "Z"));
