/**
 * The `lev` commands that talk to a hub over its HTTP API (`Authorization: Bearer <token>`):
 * login, upload, run, runs (results and diff: results.ts). The hub's URL and token come from LEV_URL / LEV_TOKEN or
 * from `lev login`, which keeps them in ~/.config/lev/config.json (mode 0600).
 */
import { chmod, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { isTerminal, type RunErrorType, type RunStatus, type TaskStatus } from "../src/status.ts";

/** A failure the CLI explains in one message; `code` is the hub's error code when the hub refused (`not_found`, `validation`, …). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface HubConfig {
  url: string;
  token: string;
}

function configPath(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  return path.join(base, "lev", "config.json");
}

export async function loadConfig(): Promise<HubConfig> {
  let saved: Partial<HubConfig> = {};
  try {
    saved = JSON.parse(await readFile(configPath(), "utf8")) as Partial<HubConfig>;
  } catch {
    saved = {};
  }
  const url = process.env.LEV_URL || saved.url;
  const token = process.env.LEV_TOKEN || saved.token;
  if (!url || !token) throw new CliError("no hub configured: run `lev login <url> --token <token>` or set LEV_URL and LEV_TOKEN");
  return { url: url.replace(/\/+$/, ""), token };
}

/** One request; a hub error (`{error: {code, message, fieldErrors, problems}}`) becomes a readable CliError. */
export async function api<T>(cfg: HubConfig, method: string, route: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${cfg.token}`, accept: "application/json" };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(`${cfg.url}${route}`, { method, headers, body: payload });
  } catch (err) {
    throw new CliError(`cannot reach the hub at ${cfg.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw hubError(res, text);
  return data as T;
}

/** The hub's one error shape (lib/errors.ts `AppError.toJSON`), as far as the CLI reads it. */
interface HubErrorBody {
  code?: unknown;
  message?: unknown;
  fieldErrors?: unknown;
  problems?: unknown;
}

/**
 * A hub's error answer `{error: {code, message, fieldErrors, problems}}` as a readable CliError:
 * `error <code>: <message>`, then each field error and problem (`where: message`) on a line of its own. An answer
 * without that shape (a proxy's page) reads `error <HTTP status>: <its first 200 characters>`.
 */
export function hubError(res: { status: number; statusText: string }, text: string): CliError {
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  const e = (data as { error?: HubErrorBody } | null)?.error;
  const code = typeof e?.code === "string" && e.code ? e.code : null;
  const message = typeof e?.message === "string" ? e.message : text.slice(0, 200) || res.statusText;
  const lines = [`error ${code ?? res.status}: ${message}`];
  if (e?.fieldErrors && typeof e.fieldErrors === "object") {
    for (const [k, v] of Object.entries(e.fieldErrors as Record<string, unknown>)) lines.push(`  ${k}: ${String(v)}`);
  }
  if (Array.isArray(e?.problems)) {
    for (const p of e.problems as { severity?: unknown; where?: unknown; message?: unknown }[]) {
      const where = typeof p?.where === "string" && p.where ? `${p.where}: ` : "";
      const severity = p?.severity === "warning" ? "warning " : "";
      lines.push(`  ${severity}${where}${typeof p?.message === "string" ? p.message : JSON.stringify(p)}`);
    }
  }
  return new CliError(lines.join("\n"), code);
}

/** What `GET /api/me` answers about a token (lib/types.ts TokenGrant). */
interface TokenInfo {
  scopes: string[];
  namespace: string | null;
  expiresAt: string;
}

/** "scopes read, run; only namespace alice; expires 2027-03-01 (in 90 days)" */
export function describeToken(t: TokenInfo, now = Date.now()): string {
  const days = Math.floor((Date.parse(t.expiresAt) - now) / 86_400_000);
  const when = days < 1 ? "today" : `in ${days} day${days === 1 ? "" : "s"}`;
  return `scopes ${t.scopes.join(", ") || "none"}${t.namespace ? `; only namespace ${t.namespace}` : ""}; expires ${t.expiresAt.slice(0, 10)} (${when})`;
}

export async function login(url: string, token: string): Promise<string> {
  const cfg = { url: url.replace(/\/+$/, ""), token };
  const me = await api<{ user: { username: string; role: string }; token: TokenInfo | null }>(cfg, "GET", "/api/me");
  const file = configPath();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(cfg, null, 2) + "\n", { mode: 0o600 });
  await chmod(file, 0o600);
  return `logged in to ${cfg.url} as ${me.user.username} (${me.user.role}); saved in ${file}${me.token ? `\ntoken: ${describeToken(me.token)}` : ""}`;
}

/** A package directory as a .tar.gz: regular files only, no caches. */
export async function archiveDirectory(dir: string): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on("end", () => resolve());
    p.on("error", reject);
  });
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      // .lev/ holds what `lev add` fetched: the hub pins dependencies itself
      if (["__pycache__", ".git", ".pytest_cache", "node_modules", ".lev"].includes(entry.name)) continue;
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(r);
      else if (entry.isFile()) {
        const data = await readFile(path.join(dir, r));
        p.entry({ name: r, size: data.length, mode: 0o644 }, data);
      }
    }
  };
  await walk("");
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** `private` true or false sets the package's visibility; absent, a new package is private and an existing one keeps its own. */
export async function upload(target: string, opts: { private?: boolean }): Promise<Record<string, unknown>> {
  const cfg = await loadConfig();
  const st = await stat(target).catch(() => null);
  if (!st) throw new CliError(`${target}: no such file or directory`);
  const data = st.isDirectory() ? await archiveDirectory(target) : await readFile(target);
  const filename = st.isDirectory() ? `${path.basename(path.resolve(target))}.tar.gz` : path.basename(target);
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(data)]), filename);
  if (opts.private !== undefined) form.append("private", String(opts.private));
  return api(cfg, "POST", "/api/packages", form);
}

/** A run as the hub's API answers (`RunSummary`/`RunDetail`), as far as the CLI reads it. */
export interface RunView {
  id: string;
  number: number;
  status: RunStatus;
  package: string;
  packageVersion: string;
  function: string;
  owner?: string;
  createdAt?: string;
  startedAt?: string | null;
  endedAt?: string | null;
  durationMs?: number | null;
  queuePosition?: number | null;
  worker?: string | null;
  device?: string | null;
  args?: Record<string, unknown>;
  error?: { type: RunErrorType; message: string; traceback?: string | null } | null;
  exitCode?: number | null;
  collections?: string[];
  tasks?: { number: number; status: TaskStatus; image: string; coll: string; exitCode: number | null; startedAt: string; endedAt: string | null; error?: { type: string; message: string } | null }[];
  logs?: { seq: number; task: number; stream: string; line: string }[];
}

/**
 * The API path of a run named as people name it: its id, or its number (`18` or `#18`, as pages
 * and `lev runs` show it); the hub resolves either through the caller's rights.
 */
export function runPath(ref: string): string {
  const t = ref.trim().replace(/^#(?=\d+$)/, "");
  if (!t) throw new CliError("a run is named by its number (18 or #18) or its id");
  return `/api/runs/${encodeURIComponent(t)}`;
}

/** `ns.name.function` (the function may hold dots itself: `szczecin.nmap_python.nmap.alive`). */
export function splitTarget(target: string): { package: string; function: string } {
  const parts = target.split(".");
  if (parts.length < 3 || parts.some((p) => !p)) throw new CliError(`'${target}' is not <ns>.<name>.<function>`);
  return { package: `${parts[0]}.${parts[1]}`, function: parts.slice(2).join(".") };
}

export async function run(
  target: string,
  args: Record<string, unknown>,
  opts: { wait: boolean; version?: string; device?: string; project?: string; debugPause?: boolean; onLog?: (line: string) => void },
): Promise<RunView> {
  const cfg = await loadConfig();
  // `device`: one of the caller's devices by name (Settings → My devices); absent, the hub's workers.
  // `project`: a project's slug; absent, the caller's personal project
  const started = await api<RunView>(cfg, "POST", "/api/runs", {
    ...splitTarget(target),
    version: opts.version,
    args,
    ...(opts.device ? { device: opts.device } : {}),
    ...(opts.debugPause ? { debugPause: true } : {}),
    ...(opts.project ? { project: opts.project } : {}),
  });
  if (!opts.wait) return started;
  let seen = 0;
  for (;;) {
    const detail = await api<RunView>(cfg, "GET", runPath(started.id));
    for (const l of (detail.logs ?? []).filter((l) => l.seq > seen)) {
      opts.onLog?.(`${l.task === 0 ? "[workflow]" : `[task ${l.task}]`} ${l.line}`);
      seen = l.seq;
    }
    if (isTerminal(detail.status)) return detail;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** One run (`ref`: its number or id) with its tasks and logs, or a page of the caller's runs (of one project). */
export async function runs(ref?: string, project?: string): Promise<unknown> {
  const cfg = await loadConfig();
  if (ref) return api(cfg, "GET", runPath(ref));
  return api(cfg, "GET", project ? `/api/runs?project=${encodeURIComponent(project)}` : "/api/runs");
}

const IDENT = /^[a-z][a-z0-9_]{1,31}$/;

/** `lev new <ns>.<name>`: a package skeleton with a tool, a workflow and a local test script. */
export async function scaffold(fullName: string, dir?: string): Promise<string> {
  const [ns, name, ...rest] = fullName.split(".");
  if (rest.length || !IDENT.test(ns ?? "") || !IDENT.test(name ?? "")) {
    throw new CliError(`'${fullName}' is not <ns>.<name> (lower-case letters, digits, _)`);
  }
  const root = path.resolve(dir ?? fullName);
  if (await stat(root).catch(() => null)) throw new CliError(`${root} already exists`);
  const pkg = path.join(root, "lev", ns, name);
  await mkdir(pkg, { recursive: true });
  const files: Record<string, string> = {
    [path.join(root, "pyproject.toml")]: `[project]\nname = "lev.${ns}.${name}"\nversion = "0.1.0"\ndescription = "${name}"\n`,
    [path.join(pkg, "__init__.py")]: `"""${name}: describe the package here."""\nfrom levrt import annot\nfrom levrt.annot.cats import Attck, BlackArch\n\nfrom . import tool\nfrom .asset import check_all\n\n__lev__ = annot.meta(\n    [tool, check_all],\n    desc="${name}",\n    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},\n    tags=["${name}"],\n)\n`,
    [path.join(pkg, "tool.py")]: `"""The tool's introduction.\n\nType: example\nVersion: 0.1.0\n"""\nimport levrt\nfrom levrt import Cr, annot, ctx\n\nIMAGE = "levhub/python:bookworm"\n\n\n@annot.meta(desc="Check one target", params=[annot.Param("target", "what to check", holder="127.0.0.1")], tags=["${name}"])\ndef check(target: str) -> Cr:\n    """\n    Runs inside its own container and stores what it found.\n    \`\`\`\n    await tool.check("127.0.0.1")\n    \`\`\`\n    """\n    @levrt.remote\n    def entry():\n        ctx.set(target=target, ok=True)\n\n    return Cr(IMAGE, entry=entry())\n\n\n__lev__ = annot.meta([check], desc="${name} tool")\n`,
    [path.join(pkg, "asset.py")]: `from levrt import Concurrent, annot\n\nfrom . import tool\n\n\n@annot.meta(desc="Check several targets", params=[annot.Param("targets", "one per line", holder="127.0.0.1")])\nasync def check_all(targets: list[str]):\n    """\n    Checks every target, four at a time.\n    \`\`\`\n    await check_all(["127.0.0.1"])\n    \`\`\`\n    """\n    async with Concurrent(limit=4) as c:\n        handles = [c.start(tool.check(t)) for t in targets]\n    for h in handles:\n        print(await (await h).get())\n`,
    [path.join(root, "main.py")]: `"""Local test: npx lev exec . main.py"""\nimport levrt\n\nfrom lev.${ns}.${name}.asset import check_all\n\nif __name__ == "__main__":\n    levrt.run(check_all(["127.0.0.1"]))\n`,
  };
  for (const [file, text] of Object.entries(files)) await writeFile(file, text);
  return root;
}
