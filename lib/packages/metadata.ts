import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PyprojectError, readPyproject } from "../../runner/src/package/pyproject.ts";

/** PEP 440-ish: what a version may look like in a URL, a path and a Docker tag. */
export const VERSION_RE = /^[0-9][0-9A-Za-z.+!_-]{0,63}$/;

/** `Version:` from a wheel's `*.dist-info/METADATA`. */
export function wheelMetadataVersion(text: string): string | null {
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // headers end at the first blank line
    const m = /^Version:\s*(.+)$/.exec(line);
    if (m) return m[1].trim();
  }
  return null;
}

/** What an upload reads of an extracted package besides its code. */
export interface PackageMetadata {
  version: string;
  /** `[project] dependencies` as written (none for a wheel without pyproject.toml) */
  dependencies: string[];
}

/**
 * The version and requirements of an extracted package: pyproject.toml's `[project]` (read by
 * the one pyproject reader), the version else (wheels) from the dist-info METADATA's `Version:`.
 * Returns the problem when pyproject.toml is not valid TOML or the version is missing or malformed.
 */
export function readPackageMetadata(dir: string): PackageMetadata | { problem: string } {
  const pyproject = path.join(dir, "pyproject.toml");
  let version: string | null = null;
  let dependencies: string[] = [];
  let source = "";
  if (existsSync(pyproject)) {
    try {
      ({ version, dependencies } = readPyproject(readFileSync(pyproject, "utf8")));
    } catch (err) {
      if (err instanceof PyprojectError) return { problem: err.message };
      throw err;
    }
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
  return { version, dependencies };
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
