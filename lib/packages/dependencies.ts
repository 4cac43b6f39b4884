/**
 * Dependencies between published packages, decided purely: which requirements name Leviathan
 * packages, which published version each one is pinned to (PEP 440), and whether the pinned
 * closure is acceptable (no cycle, one version per package, a public package only on public ones).
 * The caller loads what the uploader may see (lib/packages/dependency-load.ts) and stores the result.
 */
import { compare, explain, maxSatisfying, valid, validRange } from "@renovatebot/pep440";
import { normalizeName } from "../../runner/src/package/pyproject.ts";

/** A requirement naming a Leviathan package: `lev.<ns>.<name><specifier>`. */
export interface LevRequirement {
  /** as written in pyproject.toml */
  raw: string;
  namespace: string;
  name: string;
  /** PEP 440 specifier set, "" for any version */
  specifier: string;
}

export interface ParsedRequirements {
  lev: LevRequirement[];
  /** other requirements, as written: not installed by the hub (the package's Dockerfile provides them) */
  external: string[];
  problems: string[];
}

/** The runtime every package runs with; a requirement on it is satisfied by the hub itself. */
const RUNTIME = "levrt";
const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(.*)$/s;
const LEV_NAME = /^lev\.([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/i;


/** `lev.ns.name` of a package, as requirements and messages write it. */
export const levName = (p: { namespace: string; name: string }): string => `lev.${p.namespace}.${p.name}`;

/**
 * Splits `[project].dependencies` into Leviathan packages, the runtime (dropped) and external
 * requirements. A Leviathan requirement must be `lev.<ns>.<name>` followed by a PEP 440 specifier
 * set (optionally in parentheses); extras, markers and URLs are refused for those. Repeated
 * requirements on one package are combined (every specifier must hold).
 */
export function parseRequirements(list: readonly string[]): ParsedRequirements {
  const byKey = new Map<string, LevRequirement>();
  const external: string[] = [];
  const problems: string[] = [];
  for (const item of list) {
    const raw = item.trim();
    const m = NAME.exec(raw);
    if (!m) {
      problems.push(`dependency '${raw}' is not a valid requirement`);
      continue;
    }
    const [, name, rest] = m;
    const norm = normalizeName(name);
    if (norm === RUNTIME) continue;
    const lev = LEV_NAME.exec(name);
    if (!lev) {
      if (norm.startsWith("lev-")) problems.push(`dependency ${name}: write Leviathan packages as lev.<namespace>.<name>`);
      else external.push(raw);
      continue;
    }
    const [, namespace, pkgName] = lev;
    const display = `lev.${namespace}.${pkgName}`;
    let specifier = rest.trim();
    if (/^[[;@]/.test(specifier) || specifier.includes(";")) {
      problems.push(`dependency ${display}: extras, markers and URLs are not supported for Leviathan packages`);
      continue;
    }
    const paren = /^\((.*)\)$/s.exec(specifier);
    if (paren) specifier = paren[1].trim();
    specifier = specifier.replace(/\s+/g, "");
    if (specifier && !validRange(specifier)) {
      problems.push(`dependency ${display}: '${specifier}' is not a valid version specifier (e.g. >=1.0,<2)`);
      continue;
    }
    const key = `${namespace}.${pkgName}`.toLowerCase();
    const seen = byKey.get(key);
    if (seen) {
      seen.raw = `${seen.raw}, ${raw}`;
      seen.specifier = [seen.specifier, specifier].filter(Boolean).join(",");
    } else {
      byKey.set(key, { raw, namespace, name: pkgName, specifier });
    }
  }
  return { lev: [...byKey.values()], external, problems };
}

/** A package the uploader may see, with its published versions. Invisible packages are simply absent. */
export interface AvailablePackage {
  namespace: string;
  name: string;
  versions: readonly { id: string; version: string }[];
}

export interface PickedVersion {
  requirement: LevRequirement;
  namespace: string;
  name: string;
  versionId: string;
  version: string;
}

/** Key of a package in maps: `ns.name`, lower-case. */
export const packageKey = (p: { namespace: string; name: string }): string => `${p.namespace}.${p.name}`.toLowerCase();

/** Versions ordered by PEP 440 (ones it cannot read last, by text), for messages. */
function ordered(versions: readonly string[]): string[] {
  const sorted = versions.filter((v) => valid(v) !== null).sort(compare);
  return [...sorted, ...versions.filter((v) => valid(v) === null).sort()];
}

/** Whether a specifier set names a pre-release (`>=2.0a1`): only then may one be picked. */
function namesPreRelease(specifier: string): boolean {
  return specifier.split(",").some((clause) => explain(clause.replace(/^[<>=!~]+/, "").replace(/\.\*$/, ""))?.is_prerelease === true);
}

/**
 * The highest visible published version satisfying each requirement (pre-releases only when the
 * specifier names one, as PEP 440 says). A package the uploader may not see reads like a missing one.
 */
export function pickVersions(reqs: readonly LevRequirement[], available: ReadonlyMap<string, AvailablePackage>): { picked: PickedVersion[]; problems: string[] } {
  const picked: PickedVersion[] = [];
  const problems: string[] = [];
  for (const req of reqs) {
    const pkg = available.get(packageKey(req));
    const display = levName(req);
    if (!pkg) {
      problems.push(`dependency ${display}: no such package`);
      continue;
    }
    const pre = namesPreRelease(req.specifier);
    const candidates = pkg.versions.map((v) => v.version).filter((v) => valid(v) !== null && (pre || !explain(v)?.is_prerelease));
    const best = candidates.length ? maxSatisfying(candidates, req.specifier) : null;
    const row = best === null ? undefined : pkg.versions.find((v) => v.version === best);
    if (!row) {
      const all = ordered(pkg.versions.map((v) => v.version));
      problems.push(`dependency ${display}${req.specifier}: no published version matches (${all.join(", ") || "none published"})`);
      continue;
    }
    picked.push({ requirement: req, namespace: pkg.namespace, name: pkg.name, versionId: row.id, version: row.version });
  }
  return { picked, problems };
}

/**
 * Packages as an error shows them to its reader: those the reader may see by name, the others only
 * counted, so no message (a run refused, `lev add`, an upload, making a package public) tells
 * anyone that a private package of someone else exists or what it is called.
 */
export function packagesForReader(packages: readonly { label: string; visible: boolean }[]): string {
  const named = [...new Set(packages.filter((p) => p.visible).map((p) => p.label))];
  const hidden = new Set(packages.filter((p) => !p.visible).map((p) => p.label)).size;
  const parts = [...named, ...(hidden ? [`${hidden} package${hidden > 1 ? "s" : ""} you may not see`] : [])];
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : (parts[0] ?? "");
}

/** One published version in the dependency graph, with its pinned direct dependencies. */
export interface GraphVersion {
  id: string;
  namespace: string;
  name: string;
  version: string;
  /** the package is private (visibility is per package) */
  private: boolean;
  /** ids of the versions it was pinned to at its upload */
  dependsOn: readonly string[];
}

/** A member of a closure and how it is reached: `via` is the chain of packages from the root. */
export interface ClosureMember extends GraphVersion {
  via: string[];
}

/**
 * Every version reachable from `direct` (breadth first, so `via` is a shortest chain), each once,
 * sorted by package name. Ids missing from `graph` are skipped (the loader loads them all).
 */
export function closureOf(rootName: string, direct: readonly string[], graph: ReadonlyMap<string, GraphVersion>): ClosureMember[] {
  const seen = new Map<string, ClosureMember>();
  let frontier = direct.map((id) => ({ id, via: [rootName] }));
  while (frontier.length) {
    const next: { id: string; via: string[] }[] = [];
    for (const { id, via } of frontier) {
      const node = graph.get(id);
      if (!node || seen.has(id)) continue;
      seen.set(id, { ...node, via });
      for (const dep of node.dependsOn) next.push({ id: dep, via: [...via, levName(node)] });
    }
    frontier = next;
  }
  return [...seen.values()].sort((a, b) => packageKey(a).localeCompare(packageKey(b)) || a.version.localeCompare(b.version));
}

export interface ClosureCheck {
  /** the package being published */
  root: { namespace: string; name: string; private: boolean };
  /** ids of the pinned direct dependencies */
  direct: readonly string[];
  graph: ReadonlyMap<string, GraphVersion>;
  /** whether the uploader may see a package (a closure member may have turned private since) */
  canSee: (member: GraphVersion) => boolean;
}

/**
 * The closure of a new version and what is wrong with it: the package itself in it (a cycle),
 * two versions of one package, a member the uploader may not see, and a private member under a
 * public package.
 */
export function checkClosure(input: ClosureCheck): { closure: ClosureMember[]; problems: string[] } {
  const rootName = levName(input.root);
  const closure = closureOf(rootName, input.direct, input.graph);
  // what the uploader may not see is never named, in a chain or anywhere else
  const unseen = new Set(closure.filter((m) => !input.canSee(m)).map(levName));
  const shown = (name: string) => (unseen.has(name) ? "(a package you may not see)" : name);
  const chain = (via: string[]) => via.map(shown).join(" → ");
  const problems: string[] = [];
  for (const m of closure) {
    if (packageKey(m) === packageKey(input.root)) problems.push(`dependency cycle: ${chain([...m.via, rootName])}`);
  }
  const byPackage = new Map<string, ClosureMember[]>();
  for (const m of closure) byPackage.set(packageKey(m), [...(byPackage.get(packageKey(m)) ?? []), m]);
  for (const [key, members] of byPackage) {
    if (key === packageKey(input.root) || members.length < 2) continue;
    const [a, b] = members;
    if (unseen.has(levName(a))) problems.push(`conflicting versions of a package you may not see (via ${chain(a.via)} and via ${chain(b.via)})`);
    else problems.push(`conflicting versions of ${levName(a)}: ${a.version} (via ${chain(a.via)}) and ${b.version} (via ${chain(b.via)})`);
  }
  for (const m of closure) {
    if (packageKey(m) === packageKey(input.root)) continue;
    if (!input.canSee(m)) problems.push(`a dependency of ${chain(m.via)} is not available to you (made private or removed since it was published)`);
    else if (!input.root.private && m.private) problems.push(`${levName(m)} is private: a public version may depend only on public packages`);
  }
  return { closure, problems: [...new Set(problems)] };
}
