/**
 * The small part of pyproject.toml `lev` needs: a string key of `[project]`, and recording a
 * pinned requirement in `[project].dependencies` by a minimal text edit (the rest of the file,
 * comments included, stays as it was).
 */

/** A string key of pyproject.toml's `[project]` table. */
export function projectKey(text: string, key: "name" | "version"): string | null {
  let section = "";
  const assignment = new RegExp(`^${key}\\s*=\\s*(?:"([^"]*)"|'([^']*)')$`);
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/\s+#.*$/, "").trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    if (section !== "project") continue;
    const m = assignment.exec(line);
    if (m) return (m[1] ?? m[2]).trim();
  }
  return null;
}

/** PEP 503: `lev.Joe.JS_fuck` and `lev-joe-js-fuck` name the same distribution. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** The distribution a PEP 508 requirement names (`lev.joe.jsfuck>=1.0` → `lev.joe.jsfuck`). */
export function requirementName(req: string): string {
  return /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req)?.[1] ?? "";
}

/** The strings of a TOML array's text (`[ "a", 'b', ]`, comments allowed); null if it is not one. */
function arrayStrings(text: string): string[] | null {
  const out: string[] = [];
  let i = 1;
  while (i < text.length - 1) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return null;
      out.push(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === "#") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (/[\s,]/.test(c)) i++;
    else return null;
  }
  return out;
}

/** Where a TOML array starting at `start` (`[`) ends (just past its `]`), strings and comments skipped. */
function arrayEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === "#") {
      const nl = text.indexOf("\n", i);
      if (nl < 0) return -1;
      i = nl;
    } else if (c === "]") return i + 1;
  }
  return -1;
}

export class PyprojectError extends Error {}

/**
 * `requirement` recorded in `[project].dependencies`, replacing any other requirement of the same
 * distribution; the array is created right after `[project]` when absent.
 */
export function addRequirement(text: string, requirement: string): string {
  const name = normalizeName(requirementName(requirement));
  const header = /^\[project\][ \t]*(?:#.*)?$/m.exec(text);
  if (!header) throw new PyprojectError("pyproject.toml has no [project] table");
  const bodyStart = header.index + header[0].length;
  const next = /^\[/m.exec(text.slice(bodyStart));
  const bodyEnd = next ? bodyStart + next.index : text.length;
  const key = /^dependencies[ \t]*=[ \t]*/m.exec(text.slice(bodyStart, bodyEnd));
  const quoted = JSON.stringify(requirement);
  if (!key) {
    const eol = text[bodyStart] === "\r" ? "\r\n" : "\n";
    return `${text.slice(0, bodyStart)}${eol}dependencies = [${quoted}]${text.slice(bodyStart)}`;
  }
  const open = bodyStart + key.index + key[0].length;
  if (text[open] !== "[") throw new PyprojectError("[project].dependencies is not an array");
  const end = arrayEnd(text, open);
  const items = end < 0 ? null : arrayStrings(text.slice(open, end));
  if (!items) throw new PyprojectError("[project].dependencies is not an array of strings");
  const kept = items.filter((r) => normalizeName(requirementName(r)) !== name).map((r) => JSON.stringify(r));
  const old = text.slice(open, end);
  let array: string;
  if (old.includes("\n")) {
    const indent = /\n([ \t]+)\S/.exec(old)?.[1] ?? "    ";
    array = `[\n${[...kept, quoted].map((r) => `${indent}${r},\n`).join("")}]`;
  } else array = `[${[...kept, quoted].join(", ")}]`;
  return text.slice(0, open) + array + text.slice(end);
}
