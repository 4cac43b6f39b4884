import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { projectKey } from "../../runner/src/package/pyproject.ts";

/** PEP 440-ish: what a version may look like in a URL, a path and a Docker tag. */
export const VERSION_RE = /^[0-9][0-9A-Za-z.+!_-]{0,63}$/;

/** `[project] version = "…"` from pyproject.toml. */
export function pyprojectVersion(text: string): string | null {
  return projectKey(text, "version");
}

export function pyprojectName(text: string): string | null {
  return projectKey(text, "name");
}

/** `Version:` from a wheel's `*.dist-info/METADATA`. */
export function wheelMetadataVersion(text: string): string | null {
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // headers end at the first blank line
    const m = /^Version:\s*(.+)$/.exec(line);
    if (m) return m[1].trim();
  }
  return null;
}

/**
 * The version of an extracted package: pyproject.toml's `[project] version`, else (wheels) the
 * dist-info METADATA's `Version:`. Returns the problems when there is none or it is malformed.
 */
export function readPackageVersion(dir: string): { version: string } | { problem: string } {
  const pyproject = path.join(dir, "pyproject.toml");
  let version: string | null = null;
  let source = "";
  if (existsSync(pyproject)) {
    version = pyprojectVersion(readFileSync(pyproject, "utf8"));
    source = "pyproject.toml [project] version";
  }
  if (!version) {
    const distInfo = readdirSync(dir).find((d) => d.endsWith(".dist-info") && existsSync(path.join(dir, d, "METADATA")));
    if (distInfo) {
      version = wheelMetadataVersion(readFileSync(path.join(dir, distInfo, "METADATA"), "utf8"));
      source = `${distInfo}/METADATA Version`;
    }
  }
  if (!version) {
    return { problem: "no version: add `version = \"0.1.0\"` under [project] in pyproject.toml" };
  }
  if (!VERSION_RE.test(version)) return { problem: `${source} '${version}' is not a valid version (e.g. 0.1.2)` };
  return { version };
}

/** Orders versions like 0.9 < 0.10 < 1.0a1 < 1.0: numeric parts numerically, then the rest as text. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^([0-9]+(?:\.[0-9]+)*)(.*)$/.exec(v);
    return { nums: (m?.[1] ?? "0").split(".").map(Number), rest: m?.[2] ?? v };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d) return d;
  }
  if (x.rest === y.rest) return 0;
  if (!x.rest) return 1; // a final release sorts after its pre-releases
  if (!y.rest) return -1;
  return x.rest < y.rest ? -1 : 1;
}

/**
 * `[project] dependencies = [...]` from pyproject.toml: the array of strings, over several lines,
 * with comments and a trailing comma. Absent: an empty list. Anything else there is a problem.
 */
export function pyprojectDependencies(text: string): { dependencies: string[] } | { problem: string } {
  let section = "";
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const header = /^\[([^\]]+)\]\s*(#.*)?$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    if (section !== "project" || !/^dependencies\s*=/.test(line)) continue;
    const rest = [line.replace(/^dependencies\s*=\s*/, ""), ...lines.slice(i + 1)].join("\n");
    return readStringArray(rest);
  }
  return { dependencies: [] };
}

/** A TOML array of strings at the start of `text` (the part of TOML requirement lists use). */
function readStringArray(text: string): { dependencies: string[] } | { problem: string } {
  const bad = { problem: "pyproject.toml [project] dependencies must be a list of strings" };
  if (!text.startsWith("[")) return bad;
  const out: string[] = [];
  let i = 1;
  let expectValue = true;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (c === "#") i = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i);
    else if (c === "]") return { dependencies: out };
    else if (c === ",") {
      if (expectValue) return bad;
      expectValue = true;
      i++;
    } else if ((c === '"' || c === "'") && expectValue) {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== c && text[j] !== "\n") {
        // basic strings may escape a quote or backslash; literal strings have no escapes
        if (c === '"' && text[j] === "\\" && j + 1 < text.length) {
          value += text[j + 1];
          j += 2;
        } else value += text[j++];
      }
      if (text[j] !== c) return bad;
      out.push(value);
      expectValue = false;
      i = j + 1;
    } else return bad;
  }
  return bad;
}
