/**
 * Local dependencies: `lev add <ns>.<name>[@version]` fetches a published package version and its
 * pinned closure from a hub into `<project>/.lev/deps/<ns>.<name>/` (each archive's sha256
 * checked, unpacked safely) and records `lev.<ns>.<name>==<version>` in pyproject.toml; `lev exec`
 * and `lev inspect` mount every `.lev/deps/*` as the run's dependencies, offline.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ArchiveError, extractArchive, FETCHED_PACKAGE_LIMITS, locatePackage, type PackageDependency } from "../src/index.ts";
import { api, CliError, hubError, loadConfig, type HubConfig } from "./hub.ts";
import { addRequirement, PyprojectError, readPyproject } from "../src/package/pyproject.ts";

export const DEPS_DIR = path.join(".lev", "deps");

/** What the hub says of one version (GET /api/packages/{ns}/{name}/versions/{version}). */
export interface HubVersion {
  namespace: string;
  name: string;
  version: string;
  sha256: string;
  /** the pinned closure, transitive dependencies included */
  dependencies: { namespace: string; name: string; version: string; sha256: string }[];
}

const IDENT = /^[a-z_][a-z0-9_]*$/i;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,63}$/;

/** `ns.name[@version]` (a leading `lev.` allowed); version `latest` when absent. */
export function parseAddTarget(target: string): { namespace: string; name: string; version: string } {
  const [full, version = "latest", ...more] = target.split("@");
  const parts = full.replace(/^lev\./, "").split(".");
  if (more.length || parts.length !== 2 || !parts.every((p) => IDENT.test(p)) || !VERSION.test(version)) {
    throw new CliError(`'${target}' is not <ns>.<name>[@version]`);
  }
  return { namespace: parts[0], name: parts[1], version };
}

/** `read(text)`, a PyprojectError becoming a CliError naming the project it is in. */
function pyprojectOf<T>(where: string, text: string, read: (text: string) => T): T {
  try {
    return read(text);
  } catch (err) {
    if (err instanceof PyprojectError) throw new CliError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Every package under `.lev/deps/`, as the runner mounts them; a directory that is not one is an error. */
export async function localDependencies(projectDir: string): Promise<PackageDependency[]> {
  const root = path.join(path.resolve(projectDir), DEPS_DIR);
  if (!existsSync(root)) return [];
  const out: PackageDependency[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = path.join(root, entry.name);
    let pkg;
    try {
      pkg = locatePackage(dir);
    } catch (err) {
      throw new CliError(`${path.join(DEPS_DIR, entry.name)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (`${pkg.namespace}.${pkg.name}` !== entry.name) {
      throw new CliError(`${path.join(DEPS_DIR, entry.name)} holds lev.${pkg.namespace}.${pkg.name}; it must be named ${pkg.namespace}.${pkg.name}`);
    }
    const pyproject = path.join(dir, "pyproject.toml");
    const version = existsSync(pyproject) ? pyprojectOf(path.join(DEPS_DIR, entry.name), await readFile(pyproject, "utf8"), readPyproject).version : null;
    out.push({ namespace: pkg.namespace, name: pkg.name, version: version && VERSION.test(version) ? version : "0.0.0", dir: pkg.dir });
  }
  return out;
}

async function download(cfg: HubConfig, route: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(`${cfg.url}${route}`, { headers: { authorization: `Bearer ${cfg.token}` } });
  } catch (err) {
    throw new CliError(`cannot reach the hub at ${cfg.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw hubError(res, await res.text());
  return Buffer.from(await res.arrayBuffer());
}

const versionRoute = (v: { namespace: string; name: string; version: string }) =>
  `/api/packages/${encodeURIComponent(v.namespace)}/${encodeURIComponent(v.name)}/versions/${encodeURIComponent(v.version)}`;

/**
 * `lev add`: the version and its closure into `.lev/deps/`, then the requirement into
 * pyproject.toml. Returns what was installed.
 */
export async function addPackage(projectDir: string, target: string, cfg?: HubConfig): Promise<HubVersion> {
  const project = path.resolve(projectDir);
  const pyprojectFile = path.join(project, "pyproject.toml");
  if (!existsSync(pyprojectFile)) throw new CliError(`${project}: no pyproject.toml (run lev add in a package directory)`);
  const hub = cfg ?? (await loadConfig());
  const v = await api<HubVersion>(hub, "GET", versionRoute(parseAddTarget(target)));
  for (const member of [v, ...v.dependencies]) {
    if (!IDENT.test(member.namespace) || !IDENT.test(member.name) || !VERSION.test(member.version) || !/^[0-9a-f]{64}$/.test(member.sha256)) {
      throw new CliError(`the hub answered with an invalid package version: ${JSON.stringify(member).slice(0, 200)}`);
    }
  }
  // everything is fetched and checked before anything in the project changes
  const pyproject = pyprojectOf(project, await readFile(pyprojectFile, "utf8"), (text) => addRequirement(text, `lev.${v.namespace}.${v.name}==${v.version}`));
  const archives: Buffer[] = [];
  for (const member of [v, ...v.dependencies]) {
    const data = await download(hub, `${versionRoute(member)}/archive`);
    const sum = createHash("sha256").update(data).digest("hex");
    if (sum !== member.sha256) throw new CliError(`lev.${member.namespace}.${member.name} ${member.version}: the archive's sha256 is ${sum}, not ${member.sha256}`);
    archives.push(data);
  }
  const root = path.join(project, DEPS_DIR);
  for (const [i, member] of [v, ...v.dependencies].entries()) {
    const dir = path.join(root, `${member.namespace}.${member.name}`);
    try {
      await extractArchive("tar.gz", archives[i], dir, FETCHED_PACKAGE_LIMITS);
    } catch (err) {
      if (err instanceof ArchiveError) throw new CliError(`lev.${member.namespace}.${member.name} ${member.version}: the archive is refused: ${err.message}`);
      throw err;
    }
    const pkg = locatePackage(dir);
    if (pkg.namespace !== member.namespace || pkg.name !== member.name) {
      throw new CliError(`the archive of lev.${member.namespace}.${member.name} holds lev.${pkg.namespace}.${pkg.name}`);
    }
  }
  await writeFile(pyprojectFile, pyproject);
  return v;
}
