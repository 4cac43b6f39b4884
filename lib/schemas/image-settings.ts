/**
 * The admin's image settings: aliases (a reference as packages write it → the local image that
 * stands in for it) and the registries missing images may be pulled from. Pure: the policy page's
 * action parses its text fields with these, `updatePolicySettings` checks the result again.
 */
import { z } from "zod";

// Docker's reference grammar (distribution/reference), without the IPv6 host form
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const PORT = "[0-9]{1,5}";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(?:(${HOST}(?::${PORT})?)/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const REGISTRY = new RegExp(`^(${HOST})(?::(${PORT}))?$`);
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

const MAX_REF = 256;

/** Whether `s` is an image reference Docker accepts (`alpine:latest`, `127.0.0.1:5000/x/y:1`, `a/b@sha256:…`). */
export function isImageReference(s: string): boolean {
  if (s.length === 0 || s.length > MAX_REF) return false;
  const m = REFERENCE.exec(s);
  if (!m) return false;
  const port = /:(\d+)$/.exec(m[1] ?? "")?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/** Whether `s` names a registry as `host[:port]` (`docker.io`, `127.0.0.1:5000`, `registry.example.org`). */
export function isRegistryHost(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const m = REGISTRY.exec(s);
  return Boolean(m) && (m![2] === undefined || (Number(m![2]) >= 1 && Number(m![2]) <= 65535));
}

function aliasProblem(from: string, to: string, all: Record<string, string>): string | null {
  // a package's own image (`.ns.name`) is pinned by the hub per version; an alias must not redirect it
  if (from.startsWith(".")) return `'${from}': a package's image cannot be aliased`;
  if (!isImageReference(from)) return `'${from}' is not an image reference (like alpine:latest)`;
  if (!to) return `'${from}' needs the image that stands in for it`;
  if (!isImageReference(to) && !IMAGE_ID.test(to)) return `'${to}' is not an image reference or image id`;
  if (to === from) return `'${from}' is an alias of itself`;
  // the runner applies an alias once; a chain would silently stop half way
  if (to in all) return `'${to}' is itself an alias: point '${from}' at what '${to}' stands for`;
  return null;
}

/** The problems of an alias map, each naming the alias; empty when it is good. */
export function imageAliasProblems(aliases: Record<string, string>): string[] {
  return Object.entries(aliases).flatMap(([from, to]) => aliasProblem(from, to, aliases) ?? []);
}

export const imageAliasesSchema = z
  .record(z.string().max(MAX_REF), z.string().max(MAX_REF))
  .superRefine((m, ctx) => {
    if (Object.keys(m).length > 100) ctx.addIssue({ code: "custom", message: "at most 100 aliases" });
    for (const p of imageAliasProblems(m)) ctx.addIssue({ code: "custom", message: p });
  });

export const pullRegistriesSchema = z
  .array(z.string())
  .max(20, "at most 20 registries")
  .superRefine((rs, ctx) => {
    for (const r of rs) if (!isRegistryHost(r)) ctx.addIssue({ code: "custom", message: `'${r}' is not a registry (host or host:port, like 127.0.0.1:5000 or docker.io)` });
    const dup = rs.find((r, i) => rs.indexOf(r) !== i);
    if (dup) ctx.addIssue({ code: "custom", message: `'${dup}' is listed twice` });
  });

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l, i) => ({ n: i + 1, text: l.trim() }))
    .filter((l) => l.text && !l.text.startsWith("#"));

/**
 * The alias field: one `reference = image` per line (`alpine:latest = levhub/python:bookworm`);
 * blank lines and `#` comments are skipped. Every problem names its line.
 */
export function parseImageAliases(text: string): Parsed<Record<string, string>> {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  const seenAt = new Map<string, number>();
  for (const { n, text: line } of lines(text)) {
    const eq = line.indexOf("=");
    if (eq < 0) {
      problems.push(`line ${n}: write 'reference = image' (like alpine:latest = levhub/python:bookworm)`);
      continue;
    }
    const from = line.slice(0, eq).trim();
    const to = line.slice(eq + 1).trim();
    if (seenAt.has(from)) {
      problems.push(`line ${n}: '${from}' already has an alias on line ${seenAt.get(from)}`);
      continue;
    }
    seenAt.set(from, n);
    out[from] = to;
  }
  for (const [from, to] of Object.entries(out)) {
    const p = aliasProblem(from, to, out);
    if (p) problems.push(`line ${seenAt.get(from)}: ${p}`);
  }
  if (seenAt.size > 100) problems.push("at most 100 aliases");
  return problems.length ? { ok: false, problems } : { ok: true, value: out };
}

/** The registries field: one `host[:port]` per line, lower-cased (host names are case-insensitive). */
export function parsePullRegistries(text: string): Parsed<string[]> {
  const problems: string[] = [];
  const out: string[] = [];
  for (const { n, text: line } of lines(text)) {
    const r = line.toLowerCase();
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(r)) problems.push(`line ${n}: write the registry without a scheme ('${r.replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/\/.*$/, "")}')`);
    else if (!isRegistryHost(r)) problems.push(`line ${n}: '${line}' is not a registry (host or host:port, like 127.0.0.1:5000 or docker.io)`);
    else if (out.includes(r)) problems.push(`line ${n}: '${r}' is listed twice`);
    else out.push(r);
  }
  if (out.length > 20) problems.push("at most 20 registries");
  return problems.length ? { ok: false, problems } : { ok: true, value: out };
}

/** How the policy page shows the stored values in its text fields. */
export const formatImageAliases = (aliases: Record<string, string>) =>
  Object.entries(aliases)
    .map(([from, to]) => `${from} = ${to}`)
    .join("\n");
