/**
 * `lev fav …`: the caller's favourites ("Collect") through the hub's HTTP API. The hub decides what
 * the caller may see; the CLI only names targets and prints what comes back.
 */
import { parseArgs } from "node:util";
import { api, CliError, loadConfig, type HubConfig } from "./hub.ts";

export const FAV_USAGE = `  lev fav list [--json]
  lev fav add|remove <ns>.<name>[.<function>] | @<user> [--json]
      Favourites: a package, one of its modes or workflows, or an author. list shows each
      at its package's latest version, with the lev run command for each function.`;

export class FavUsageError extends Error {}

export type FavTarget = { package: string; function?: string } | { author: string };

/** `@user`, `ns.name` or `ns.name.function` (a function may hold dots itself: `nmap.alive`). */
export function parseFavTarget(text: string): FavTarget {
  if (text.startsWith("@")) {
    if (!/^@[A-Za-z0-9_-]{1,64}$/.test(text)) throw new FavUsageError(`'${text}' is not @<user>`);
    return { author: text.slice(1) };
  }
  const parts = text.split(".");
  if (parts.length < 2 || parts.some((p) => !p)) throw new FavUsageError(`'${text}' is not <ns>.<name>[.<function>] or @<user>`);
  const fn = parts.slice(2).join(".");
  return { package: `${parts[0]}.${parts[1]}`, ...(fn ? { function: fn } : {}) };
}

export const describeTarget = (t: FavTarget): string => ("author" in t ? `@${t.author}` : t.function ? `${t.package}.${t.function}` : t.package);

interface FavouriteState {
  favourited: boolean;
  count: number;
}

interface FavouritesView {
  packages: { package: { fullName: string; version: string; favourites: number }; functions: { qualified: string }[] }[];
  functions: { package: string; function: string; version: string; current: { kind: string } | null; favourites: number }[];
  authors: { author: { username: string; packages: number; followers: number } }[];
}

/** The text `lev fav list` prints: functions first (each with its run command), then packages, then authors. */
export function favouritesText(f: FavouritesView): string {
  const lines: string[] = [];
  if (f.functions.length) {
    lines.push("functions");
    for (const x of f.functions) {
      const name = `${x.package}.${x.function}`;
      lines.push(`  ${name}  v${x.version}  ★${x.favourites}  ${x.current ? `lev run ${name}` : "(not in the latest version)"}`);
    }
  }
  if (f.packages.length) {
    lines.push("packages");
    for (const x of f.packages) {
      const fns = x.functions.map((fn) => fn.qualified).join(", ");
      lines.push(`  ${x.package.fullName}  v${x.package.version}  ★${x.package.favourites}${fns ? `  functions: ${fns}` : ""}`);
    }
  }
  if (f.authors.length) {
    lines.push("authors");
    for (const { author: a } of f.authors) lines.push(`  @${a.username}  ${a.packages} package${a.packages === 1 ? "" : "s"}  ★${a.followers}`);
  }
  return lines.length ? lines.join("\n") : "no favourites";
}

const FAV_COMMANDS = ["list", "add", "remove"] as const;

export async function favCommand(args: string[], out: (v: unknown) => void, cfg?: HubConfig): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: "boolean", default: false } } });
  if (!FAV_COMMANDS.includes(sub as (typeof FAV_COMMANDS)[number])) {
    throw new FavUsageError(sub ? `unknown fav command '${sub}'` : `fav needs a command: ${FAV_COMMANDS.join(", ")}`);
  }
  if (sub === "list") {
    if (positionals.length) throw new FavUsageError("fav list takes no arguments");
    const favourites = await api<FavouritesView>(cfg ?? (await loadConfig()), "GET", "/api/favourites");
    out(values.json ? favourites : favouritesText(favourites));
    return 0;
  }
  if (positionals.length !== 1) throw new FavUsageError(`fav ${sub} takes one <ns>.<name>[.<function>] or @<user>`);
  const target = parseFavTarget(positionals[0]);
  const hub = cfg ?? (await loadConfig());
  const state =
    sub === "add"
      ? await api<FavouriteState>(hub, "POST", "/api/favourites", target)
      : await api<FavouriteState>(hub, "DELETE", `/api/favourites?${new URLSearchParams(target as Record<string, string>).toString()}`);
  if (!state || typeof state.favourited !== "boolean") throw new CliError("the hub did not answer with the favourite's state");
  out(values.json ? { target, ...state } : `${describeTarget(target)} ${state.favourited ? "is a favourite" : "is no longer a favourite"} (★${state.count})`);
  return 0;
}
