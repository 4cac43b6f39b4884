/**
 * pyproject.toml as the hub and `lev` read it, parsed by a real TOML parser (smol-toml, TOML 1.0):
 * `[project]`'s name, version and dependencies, or a PyprojectError naming the line and column of
 * bad TOML. Recording a pinned requirement (`lev add`) is a minimal text edit, so the rest of the
 * file, comments included, stays as it was; the edit is checked by parsing its result.
 */
import { isDeepStrictEqual } from "node:util";
import { parse, TomlError } from "smol-toml";

/** Far above any real pyproject.toml; an upload's file is hostile until parsed. */
export const MAX_PYPROJECT_BYTES = 1024 * 1024;

export class PyprojectError extends Error {
  constructor(
    message: string,
    /** where bad TOML is (1-based), when the file does not parse */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = "PyprojectError";
  }
}

/** What is read of `[project]`. */
export interface PyprojectProject {
  /** `name`, null when absent */
  name: string | null;
  /** `version`, null when absent (a wheel's METADATA may have it) */
  version: string | null;
  /** `dependencies`, the requirements as written; [] when absent */
  dependencies: string[];
}

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a date";
  if (isTable(v)) return "a table";
  return typeof v === "string" ? "a string" : typeof v === "boolean" ? "a boolean" : "a number";
}

/** The whole document, or a PyprojectError with the line and column of the first TOML error. */
function parseDocument(text: string): Table {
  if (Buffer.byteLength(text, "utf8") > MAX_PYPROJECT_BYTES) throw new PyprojectError(`pyproject.toml is larger than ${MAX_PYPROJECT_BYTES / 1024} KiB`);
  try {
    return parse(text) as Table;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const reason = err.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
    throw new PyprojectError(`pyproject.toml:${err.line}: not valid TOML: ${reason} (column ${err.column})`, err.line, err.column);
  }
}

/** `[project]` of a parsed document: null when there is none. */
function projectTable(doc: Table): Table | null {
  if (!("project" in doc)) return null;
  if (!isTable(doc.project)) throw new PyprojectError(`pyproject.toml: project is ${kindOf(doc.project)}, not a table`);
  return doc.project;
}

function stringKey(project: Table, key: "name" | "version"): string | null {
  const v = project[key];
  if (v === undefined) return null;
  if (typeof v !== "string") throw new PyprojectError(`pyproject.toml: [project] ${key} is ${kindOf(v)}, not a string`);
  return v.trim();
}

function dependenciesOf(project: Table): string[] {
  const v = project.dependencies;
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new PyprojectError(`pyproject.toml: [project] dependencies is ${kindOf(v)}, not an array of strings`);
  const bad = v.findIndex((item) => typeof item !== "string");
  if (bad >= 0) throw new PyprojectError(`pyproject.toml: [project] dependencies must be an array of strings; item ${bad + 1} is ${kindOf(v[bad])}`);
  return v as string[];
}

/** `[project]` of pyproject.toml's text (all null/empty without one). Throws PyprojectError. */
export function readPyproject(text: string): PyprojectProject {
  const project = projectTable(parseDocument(text)) ?? {};
  return { name: stringKey(project, "name"), version: stringKey(project, "version"), dependencies: dependenciesOf(project) };
}

/** PEP 503: `lev.Joe.JS_fuck` and `lev-joe-js-fuck` name the same distribution. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** The distribution a PEP 508 requirement names (`lev.joe.jsfuck>=1.0` → `lev.joe.jsfuck`). */
export function requirementName(req: string): string {
  return /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req)?.[1] ?? "";
}

/** A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML wants escaped. */
const tomlString = (s: string): string => JSON.stringify(s).replace(/\x7f/g, "\\u007f");

/**
 * Where the array value starting at `open` (`[`) ends, just past its `]`: the first `]` whose
 * prefix the parser reads as this very array (a `]` inside a string or a comment does not parse).
 */
function arrayEnd(text: string, open: number, value: string[]): number {
  for (let end = text.indexOf("]", open); end >= 0; end = text.indexOf("]", end + 1)) {
    try {
      if (isDeepStrictEqual(parse(`v = ${text.slice(open, end + 1)}`).v, value)) return end + 1;
    } catch {
      // not the end yet
    }
  }
  return -1;
}

/** The document without `[project].dependencies`: what an edit of that array must leave alone. */
function withoutDependencies(doc: Table): Table {
  const { dependencies: _dependencies, ...project } = projectTable(doc) ?? {};
  return { ...doc, project };
}

/**
 * `requirement` recorded in `[project].dependencies`, replacing any other requirement of the same
 * distribution; the array is created right after `[project]` when absent. Throws PyprojectError
 * for bad TOML, no `[project]`, a dependencies value that is not an array of strings, or a layout
 * this edit cannot change without touching anything else.
 */
export function addRequirement(text: string, requirement: string): string {
  const doc = parseDocument(text);
  const project = projectTable(doc);
  if (!project) throw new PyprojectError("pyproject.toml has no [project] table");
  const current = dependenciesOf(project);
  const name = normalizeName(requirementName(requirement));
  const kept = current.filter((r) => normalizeName(requirementName(r)) !== name).map(tomlString);
  const quoted = tomlString(requirement);
  const unsupported = new PyprojectError("pyproject.toml: write [project] dependencies as `dependencies = [...]` under a `[project]` header, then run this again");

  const header = /^\[project\][ \t]*(?:#.*)?$/m.exec(text);
  if (!header) throw unsupported;
  const bodyStart = header.index + header[0].length;
  const next = /^[ \t]*\[/m.exec(text.slice(bodyStart));
  const bodyEnd = next ? bodyStart + next.index : text.length;
  const key = /^dependencies[ \t]*=[ \t]*/m.exec(text.slice(bodyStart, bodyEnd));
  let edited: string;
  if (!key) {
    const eol = text[bodyStart] === "\r" ? "\r\n" : "\n";
    edited = `${text.slice(0, bodyStart)}${eol}dependencies = [${quoted}]${text.slice(bodyStart)}`;
  } else {
    const open = bodyStart + key.index + key[0].length;
    const end = text[open] === "[" ? arrayEnd(text, open, current) : -1;
    if (end < 0) throw unsupported;
    const old = text.slice(open, end);
    let array: string;
    if (old.includes("\n")) {
      const indent = /\n([ \t]+)\S/.exec(old)?.[1] ?? "    ";
      array = `[\n${[...kept, quoted].map((r) => `${indent}${r},\n`).join("")}]`;
    } else array = `[${[...kept, quoted].join(", ")}]`;
    edited = text.slice(0, open) + array + text.slice(end);
  }
  // the edit must mean exactly "this array, and nothing else, changed"
  let after: Table;
  try {
    after = parseDocument(edited);
  } catch {
    throw unsupported;
  }
  const want = [...current.filter((r) => normalizeName(requirementName(r)) !== name), requirement];
  if (!isDeepStrictEqual(dependenciesOf(projectTable(after) ?? {}), want) || !isDeepStrictEqual(withoutDependencies(after), withoutDependencies(doc))) throw unsupported;
  return edited;
}
