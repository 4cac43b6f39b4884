/** Parsing and normalising a scope's entries (see rules.ts for what a scope holds). Pure. */
import { z } from "zod";
import { formatPrefix, parsePrefix, type Prefix } from "./addresses.ts";

/** rules per scope, all three lists together */
export const MAX_SCOPE_RULES = 256;
const MAX_ENTRY_CHARS = 300;
const MAX_PORT_RANGES = 32;

/** What a target parameter holds (`annot.Param(kind=…)`); `target` is any of the others. */
export const TARGET_KINDS = ["target", "cidr", "host", "url", "port"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export type PortRange = [number, number];

export type ScopeHost =
  | { type: "prefix"; prefix: Prefix }
  | { type: "name"; name: string; wildcard: boolean };

export interface ScopeRule {
  /** the canonical text of the entry, as stored and shown */
  text: string;
  host: ScopeHost;
  /** absent: every port */
  ports?: PortRange[];
}

const NAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS name, lower-cased without a trailing dot; null when it is not one. */
export function normaliseName(s: string): string | null {
  const name = s.toLowerCase().replace(/\.$/, "");
  if (name.length === 0 || name.length > 253) return null;
  const labels = name.split(".");
  if (!labels.every((l) => NAME_LABEL.test(l))) return null;
  // all-numeric names are mistyped addresses (`10.0.0`), never host names
  if (labels.every((l) => /^\d+$/.test(l))) return null;
  return name;
}

function parsePorts(s: string): PortRange[] | string {
  const parts = s.split(",");
  if (parts.length > MAX_PORT_RANGES) return `at most ${MAX_PORT_RANGES} port ranges per rule`;
  const out: PortRange[] = [];
  for (const part of parts) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part.trim());
    if (!m) return `"${part}" is not a port or a range such as 8000-8100`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535) return `ports are 1–65535 (got ${part})`;
    if (hi < lo) return `the range ${part} runs backwards`;
    out.push([lo, hi]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

const formatPorts = (ports: PortRange[]) => ports.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(",");

interface Origin { host: ScopeHost; hostText: string; port: number }

function parseOrigin(s: string): Origin | string {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return `${s} is not a URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `${s}: only http and https URLs`;
  if (url.username || url.password) return `${s}: no user names or passwords in a scope`;
  const host = parseHost(url.hostname.replace(/^\[|\]$/g, ""));
  if (typeof host === "string") return host;
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return { host, hostText: hostText(host), port };
}

function parseHost(s: string): ScopeHost | string {
  if (/^[0-9a-fA-F:.]+(?:\/\d+)?$/.test(s) && (s.includes(":") || /^[\d./]+$/.test(s))) {
    const p = parsePrefix(s);
    if (p === null) return `${s} is not an IP address or CIDR`;
    if ("error" in p) return p.error;
    return { type: "prefix", prefix: p };
  }
  const wildcard = s.startsWith("*.");
  const name = normaliseName(wildcard ? s.slice(2) : s);
  if (!name) return `${s} is not an address, a CIDR, a host name or a URL origin`;
  return { type: "name", name, wildcard };
}

const hostText = (h: ScopeHost) => (h.type === "prefix" ? formatPrefix(h.prefix) : `${h.wildcard ? "*." : ""}${h.name}`);

/** One entry of `allow` or `exclude` → the rule, or why it is not one. */
export function parseRule(entry: string): ScopeRule | string {
  const text = entry.trim();
  if (text.length === 0) return "an empty rule";
  if (text.length > MAX_ENTRY_CHARS) return `a rule is at most ${MAX_ENTRY_CHARS} characters`;
  const [target = "", portText, ...more] = text.split(/\s+/);
  if (more.length > 0) return `${text}: a rule is a target and, optionally, ports (10.0.0.0/24 22,80,8000-8100)`;
  let ports: PortRange[] | undefined;
  if (portText !== undefined) {
    const p = parsePorts(portText);
    if (typeof p === "string") return `${text}: ${p}`;
    ports = p;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    const o = parseOrigin(target);
    if (typeof o === "string") return o;
    if (!/^https?:\/\/[^/?#]+\/?$/i.test(target)) return `${target}: a URL rule is an origin (scheme, host, port); paths are not part of a scope`;
    if (ports) return `${text}: a URL origin carries its own port`;
    return { text: `${hostText(o.host)} ${o.port}`, host: o.host, ports: [[o.port, o.port]] };
  }
  const host = parseHost(target);
  if (typeof host === "string") return host;
  return { text: ports ? `${hostText(host)} ${formatPorts(ports)}` : hostText(host), host, ports };
}

export interface ServiceEndpoint { host: string; port: number }

/** `host:port` or `[v6]:port` → the endpoint, or why not. */
export function parseService(entry: string): ServiceEndpoint | string {
  const text = entry.trim();
  if (text.length > MAX_ENTRY_CHARS) return `a service is at most ${MAX_ENTRY_CHARS} characters`;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return `${text || "(empty)"} is not a service endpoint such as api.example.com:443`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `${text}: ports are 1–65535`;
  const host = parseHost(m[1] ?? m[2] ?? "");
  if (typeof host === "string") return host;
  if (host.type === "name" && host.wildcard) return `${text}: a service is one host, not a wildcard`;
  if (host.type === "prefix" && host.prefix.bits !== (host.prefix.family === 4 ? 32 : 128)) return `${text}: a service is one address, not a range`;
  const h = hostText(host);
  return { host: h.includes(":") ? `[${h}]` : h, port };
}

const entries = z.array(z.string().max(MAX_ENTRY_CHARS)).max(MAX_SCOPE_RULES);

/**
 * A scope as stored (JSON on the project) and sent by the API: entries as text. `scopeSchema`
 * checks every entry parses and normalises them (canonical text, duplicates dropped).
 */
export const scopeSchema = z
  .object({ allow: entries.default([]), exclude: entries.default([]), services: entries.default([]) })
  .strict()
  .superRefine((s, ctx) => {
    const total = s.allow.length + s.exclude.length + s.services.length;
    if (total > MAX_SCOPE_RULES) ctx.addIssue({ code: "custom", path: [], message: `a scope holds at most ${MAX_SCOPE_RULES} rules (this one has ${total})` });
    for (const list of ["allow", "exclude"] as const) {
      s[list].forEach((e, i) => {
        const r = parseRule(e);
        if (typeof r === "string") ctx.addIssue({ code: "custom", path: [list, i], message: r });
      });
    }
    s.services.forEach((e, i) => {
      const r = parseService(e);
      if (typeof r === "string") ctx.addIssue({ code: "custom", path: ["services", i], message: r });
    });
  })
  .transform((s) => normaliseScope(s));

export type Scope = { allow: string[]; exclude: string[]; services: string[] };

/** Canonical texts, duplicates dropped, order kept. Entries must already parse (`scopeSchema`). */
export function normaliseScope(s: Scope): Scope {
  const canon = (list: string[]) => [...new Set(list.map((e) => { const r = parseRule(e); return typeof r === "string" ? e.trim() : r.text; }))];
  const services = [...new Set(s.services.map((e) => { const r = parseService(e); return typeof r === "string" ? e.trim() : `${r.host}:${r.port}`; }))];
  return { allow: canon(s.allow), exclude: canon(s.exclude), services };
}

/** A scope that names nothing is no scope: the project is unscoped. */
export const isEmptyScope = (s: Scope) => s.allow.length === 0 && s.exclude.length === 0 && s.services.length === 0;

