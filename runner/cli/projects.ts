/**
 * `lev project …`: projects, their members and roles through the hub's HTTP API. Flags mirror the
 * API's fields; the hub checks everything and its JSON errors are shown as they come.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { api, loadConfig, type HubConfig } from "./hub.ts";
import { SECRETS_USAGE, secretsCommand } from "./secrets.ts";

export const PROJECT_USAGE = `  lev project list [--json]
  lev project show <slug> [--json]
  lev project create <slug> --name NAME [--client C] [--description D] [--from ISO] [--until ISO] [--json]
      A team project: you are its owner. --from/--until set its authorised window (UTC or with an
      offset, 2026-12-01T09:00:00Z): runs start only inside it.
  lev project members <slug> [--json]
  lev project add-member <slug> <username> [--role operator|viewer|owner]   (default operator)
  lev project set-role <slug> <username> <role>
  lev project remove-member <slug> <username>
${SECRETS_USAGE}
  lev project scope show <slug> [--json]
  lev project scope set <slug> --file scope.json
      The targets the project's runs may touch. The file is the API's body:
      {"scope": {"allow": ["10.231.0.0/16", "*.example.com", "https://app.example.com"],
      "exclude": ["10.231.5.0/24"], "services": ["api.shodan.io:443"]}, "requireEnforcement": false,
      "allowHostNetwork": false}; "scope": null unscopes the project. Owners only. The hub refuses
      out-of-scope targets; the run's network does not enforce the scope yet.
  lev run … --project <slug>, lev scan create … --project <slug>, lev runs --project <slug>
      put a run or scan in a project (default: your personal project) or list one project's runs.`;

type Role = "owner" | "operator" | "viewer";
const ROLES: readonly Role[] = ["owner", "operator", "viewer"];

interface ProjectView {
  slug: string;
  name: string;
  description: string;
  client: string;
  windowStart: string | null;
  windowEnd: string | null;
  personal: boolean;
  role: Role | null;
  memberCount: number;
}
interface MemberView {
  username: string;
  name: string | null;
  role: Role;
}
interface ScopeView {
  scope: { allow: string[]; exclude: string[]; services: string[] } | null;
  requireEnforcement: boolean;
  allowHostNetwork: boolean;
}
interface ProjectDetailView extends ProjectView {
  members: MemberView[];
  rights: string[];
  runCount: number;
  scanCount: number;
}

export class ProjectUsageError extends Error {}

const COMMANDS = ["list", "show", "create", "members", "add-member", "set-role", "remove-member", "secrets", "scope"] as const;

/** A scope in words, one list a line. */
export function scopeText(v: ScopeView): string {
  if (!v.scope) return "unscoped: runs may target anything";
  const list = (l: string[]) => (l.length ? l.join(", ") : "none");
  return [
    `allowed: ${list(v.scope.allow)}`,
    `excluded: ${list(v.scope.exclude)}`,
    `services: ${list(v.scope.services)}`,
    `require enforcement: ${v.requireEnforcement ? "yes" : "no"}; host network allowed: ${v.allowHostNetwork ? "yes" : "no"}`,
    "(checked by the hub on every target; recorded, not yet enforced by the network)",
  ].join("\n");
}

const seg = (s: string | undefined, what: string): string => {
  if (!s) throw new ProjectUsageError(`${what} is missing`);
  return encodeURIComponent(s);
};

/** The window in words, as the hub stores it (UTC). */
export function windowText(p: Pick<ProjectView, "windowStart" | "windowEnd">): string {
  if (!p.windowStart && !p.windowEnd) return "no window";
  return `${p.windowStart ?? "…"} → ${p.windowEnd ?? "…"}`;
}

/** One line per project: slug, name, your role, members, window. */
export function projectLine(p: ProjectView): string {
  return [p.slug, p.personal ? `${p.name} (personal)` : p.name, p.role ?? "not a member", `${p.memberCount} member${p.memberCount === 1 ? "" : "s"}`, windowText(p)].join("  ");
}

const memberLine = (m: MemberView) => `${m.username.padEnd(20)} ${m.role}${m.name ? `  (${m.name})` : ""}`;

function role(s: string | undefined): Role {
  if (!ROLES.includes(s as Role)) throw new ProjectUsageError(`a role is one of ${ROLES.join(", ")}`);
  return s as Role;
}

export async function projectCommand(args: string[], out: (v: unknown) => void, cfg?: HubConfig): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "secrets") return secretsCommand(rest, out, cfg ?? (await loadConfig()));
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      client: { type: "string" },
      description: { type: "string" },
      from: { type: "string" },
      until: { type: "string" },
      role: { type: "string" },
      file: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (!COMMANDS.includes(sub as (typeof COMMANDS)[number])) {
    throw new ProjectUsageError(sub ? `unknown project command '${sub}'` : `project needs a command: ${COMMANDS.join(", ")}`);
  }
  const hub = cfg ?? (await loadConfig());
  const show = (v: unknown, text: string) => out(values.json ? v : text);
  switch (sub) {
    case "list": {
      const list = await api<ProjectView[]>(hub, "GET", "/api/projects");
      show(list, list.map(projectLine).join("\n") || "no projects");
      return 0;
    }
    case "show": {
      const p = await api<ProjectDetailView>(hub, "GET", `/api/projects/${seg(positionals[0], "the project's slug")}`);
      const lines = [
        projectLine(p),
        ...(p.client ? [`client: ${p.client}`] : []),
        ...(p.description ? [p.description] : []),
        `window: ${windowText(p)}`,
        `runs: ${p.runCount}, scans: ${p.scanCount}; you may: ${p.rights.join(", ") || "nothing"}`,
        "members:",
        ...p.members.map((m) => `  ${memberLine(m)}`),
      ];
      show(p, lines.join("\n"));
      return 0;
    }
    case "create": {
      if (positionals.length !== 1 || !values.name) throw new ProjectUsageError("project create takes <slug> --name NAME");
      const body = {
        slug: positionals[0],
        name: values.name,
        ...(values.client !== undefined ? { client: values.client } : {}),
        ...(values.description !== undefined ? { description: values.description } : {}),
        ...(values.from ? { windowStart: values.from } : {}),
        ...(values.until ? { windowEnd: values.until } : {}),
      };
      const p = await api<ProjectView>(hub, "POST", "/api/projects", body);
      show(p, `created project ${projectLine(p)}`);
      return 0;
    }
    case "members": {
      const members = await api<MemberView[]>(hub, "GET", `/api/projects/${seg(positionals[0], "the project's slug")}/members`);
      show(members, members.map(memberLine).join("\n"));
      return 0;
    }
    case "add-member": {
      if (positionals.length !== 2) throw new ProjectUsageError("project add-member takes <slug> <username>");
      const m = await api<MemberView>(hub, "POST", `/api/projects/${seg(positionals[0], "the project's slug")}/members`, { username: positionals[1], role: role(values.role ?? "operator") });
      show(m, `added ${m.username} to ${positionals[0]} as ${m.role}`);
      return 0;
    }
    case "set-role": {
      if (positionals.length !== 3) throw new ProjectUsageError("project set-role takes <slug> <username> <role>");
      const r = await api<{ username: string; role: Role; scansDisabled: number }>(hub, "PATCH", `/api/projects/${seg(positionals[0], "the project's slug")}/members/${seg(positionals[1], "the user name")}`, { role: role(positionals[2]) });
      show(r, `${r.username} is now ${r.role} of ${positionals[0]}${r.scansDisabled ? `; ${r.scansDisabled} of their scans there were disabled` : ""}`);
      return 0;
    }
    case "remove-member": {
      if (positionals.length !== 2) throw new ProjectUsageError("project remove-member takes <slug> <username>");
      const r = await api<{ removed: string; scansDisabled: number }>(hub, "DELETE", `/api/projects/${seg(positionals[0], "the project's slug")}/members/${seg(positionals[1], "the user name")}`);
      show(r, `removed ${r.removed} from ${positionals[0]}${r.scansDisabled ? `; ${r.scansDisabled} of their scans there were disabled` : ""}`);
      return 0;
    }
    case "scope": {
      const [action, slug, ...extra] = positionals;
      const path = `/api/projects/${seg(slug, "the project's slug")}/scope`;
      if (extra.length > 0) throw new ProjectUsageError("project scope takes show|set <slug>");
      if (action === "show") {
        const v = await api<ScopeView>(hub, "GET", path);
        show(v, scopeText(v));
        return 0;
      }
      if (action !== "set" || !values.file) throw new ProjectUsageError("project scope takes show <slug>, or set <slug> --file scope.json");
      let body: unknown;
      try {
        body = JSON.parse(await readFile(values.file, "utf8"));
      } catch (err) {
        throw new ProjectUsageError(`${values.file}: ${(err as Error).message}`);
      }
      const v = await api<ScopeView>(hub, "PUT", path, body);
      show(v, `scope of ${slug} set\n${scopeText(v)}`);
      return 0;
    }
  }
  throw new ProjectUsageError(`unknown project command '${sub}'`);
}
