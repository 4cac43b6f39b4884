/**
 * `lev project secrets …`: a project's secrets through the hub's HTTP API. A value is read from
 * standard input or a file, never from the command line (it would be in the shell's history and
 * in every process listing); the hub never shows it back. `lev run --param key=secret:NAME` binds
 * a secret by name: the run's project's, else one of your own.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { api, CliError, type HubConfig } from "./hub.ts";

export const SECRETS_USAGE = `  lev project secrets list <slug> [--json]
  lev project secrets set <slug> <NAME> [--from-file PATH] [--description D] [--roles owner,operator]
      Adds the secret, or gives it a new value: read from standard input (… | lev project secrets set …)
      or from a file, never from the command line. One trailing newline is dropped. The value is
      write-only: nobody reads it back; whoever may use it can (a package of theirs can print it).
  lev project secrets delete <slug> <NAME>
  lev run … --param key=secret:NAME binds a secret of the run's project (else your own) by name.`;

export class SecretsUsageError extends Error {}

export interface SecretView {
  id: string;
  name: string;
  description: string;
  roles: string[];
  personal: boolean;
  lastUsedAt: string | null;
  usable: boolean;
}

const slugPath = (slug: string | undefined) => {
  if (!slug) throw new SecretsUsageError("the project's slug is missing");
  return `/api/projects/${encodeURIComponent(slug)}/secrets`;
};

export function secretLine(s: SecretView): string {
  const who = s.personal ? "yours" : `used by ${s.roles.join(", ")}`;
  return [s.name.padEnd(24), who, s.lastUsedAt ? `last used ${s.lastUsedAt}` : "never used", s.usable ? "" : "(not usable by you)", s.description].filter(Boolean).join("  ");
}

/** The value as given on standard input or in a file: exactly, but for one trailing newline. */
export function valueOf(text: string): string {
  return text.replace(/\r?\n$/, "");
}

async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  if (stdin.isTTY) throw new SecretsUsageError("the value comes from standard input or --from-file: pipe it in (printf %s \"$KEY\" | lev project secrets set …), never on the command line");
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function secretsCommand(args: string[], out: (v: unknown) => void, hub: HubConfig, stdin: NodeJS.ReadStream = process.stdin): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, "from-file": { type: "string" }, description: { type: "string" }, roles: { type: "string" } },
  });
  const list = (slug: string | undefined) => api<{ secrets: SecretView[] }>(hub, "GET", slugPath(slug)).then((r) => r.secrets);
  switch (sub) {
    case "list": {
      const secrets = await list(positionals[0]);
      out(values.json ? secrets : secrets.map(secretLine).join("\n") || "no secrets");
      return 0;
    }
    case "set": {
      const [slug, name] = positionals;
      if (!slug || !name || positionals.length !== 2) throw new SecretsUsageError("project secrets set takes <slug> <NAME>; the value comes from standard input or --from-file");
      const value = valueOf(values["from-file"] ? await readFile(values["from-file"], "utf8") : await readStdin(stdin));
      const roles = values.roles?.split(",").map((r) => r.trim()).filter(Boolean);
      const existing = (await list(slug)).find((s) => s.name === name);
      const body = { value, ...(values.description !== undefined ? { description: values.description } : {}), ...(roles ? { roles } : {}) };
      const saved = existing
        ? await api<SecretView>(hub, "PATCH", `${slugPath(slug)}/${encodeURIComponent(existing.id)}`, body)
        : await api<SecretView>(hub, "POST", slugPath(slug), { name, ...body });
      out(values.json ? saved : `${existing ? "gave a new value to" : "added"} secret ${saved.name} of ${slug} (its value is write-only)`);
      return 0;
    }
    case "delete": {
      const [slug, name] = positionals;
      if (!slug || !name) throw new SecretsUsageError("project secrets delete takes <slug> <NAME>");
      const existing = (await list(slug)).find((s) => s.name === name);
      if (!existing) throw new CliError(`project ${slug} has no secret named ${name}`);
      await api(hub, "DELETE", `${slugPath(slug)}/${encodeURIComponent(existing.id)}`);
      out(values.json ? { deleted: existing.id } : `deleted secret ${name} of ${slug}`);
      return 0;
    }
    default:
      throw new SecretsUsageError(sub ? `unknown secrets command '${sub}'` : "project secrets needs a command: list, set, delete");
  }
}

/**
 * `--param key=secret:NAME` → the secret's reference: a secret of the run's project named NAME,
 * else one of the caller's own (their personal project's). Other parameters are left as they are.
 */
export async function secretParams(hub: HubConfig, args: Record<string, unknown>, project: string | undefined): Promise<Record<string, unknown>> {
  const wanted = Object.entries(args).filter(([, v]) => typeof v === "string" && v.startsWith("secret:"));
  if (!wanted.length) return args;
  const me = (await api<{ user: { username: string } }>(hub, "GET", "/api/me")).user;
  const places = [...new Set([project ?? me.username, me.username])];
  const known: SecretView[] = [];
  for (const slug of places) known.push(...(await api<{ secrets: SecretView[] }>(hub, "GET", slugPath(slug))).secrets.filter((s) => s.usable));
  const out = { ...args };
  for (const [k, v] of wanted) {
    const name = (v as string).slice("secret:".length);
    const found = known.find((s) => s.name === name);
    if (!found) throw new CliError(`--param ${k}: no secret named ${name} you may use in ${project ?? "your personal project"} (lev project secrets list <slug>)`);
    out[k] = { $lev: "secret", id: found.id };
  }
  return out;
}
