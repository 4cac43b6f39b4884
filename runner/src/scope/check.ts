/**
 * Checking a target against a scope, and compiling a scope into the plain data a runner's network
 * rules need. Pure; see rules.ts for what a scope holds.
 */
import { z } from "zod";
import { familyBits, formatPrefix, parsePrefix, prefixCovers, prefixesOverlap, type Prefix } from "./addresses.ts";
import { MAX_SCOPE_RULES, normaliseName, parseRule, parseService, TARGET_KINDS, type PortRange, type Scope, type ScopeHost, type ScopeRule, type ServiceEndpoint, type TargetKind } from "./parse.ts";

export type TargetCheck =
  | { ok: true }
  | {
      ok: false;
      /** `outside`: no allow rule covers it; `excluded`: an exclusion does; `invalid`: not a target of its kind */
      reason: "outside" | "excluded" | "invalid";
      /** the rule it broke: the exclusion's text, or the allow list */
      rule: string;
      message: string;
    };

/** A target as checked: a host (addresses as prefixes, a /32 or /128 for one), maybe a port. */
type TargetHost = { type: "prefix"; prefix: Prefix } | { type: "name"; name: string };
interface Target { host?: TargetHost; ports?: PortRange }

function parseHostValue(s: string): TargetHost | string {
  const bare = s.replace(/^\[|\]$/g, "");
  if (/^[0-9a-fA-F:.]+(?:\/\d+)?$/.test(bare) && (bare.includes(":") || /^[\d./]+$/.test(bare))) {
    const p = parsePrefix(bare);
    if (p === null) return `${s} is not an IP address or CIDR`;
    if ("error" in p) return p.error;
    return { type: "prefix", prefix: p };
  }
  const name = normaliseName(s);
  return name ? { type: "name", name } : `${s} is not an IP address or a host name`;
}

function parsePortValue(s: string): PortRange | string {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (!m || lo < 1 || hi > 65535 || hi < lo) return `${s} is not a port (1–65535) or a range such as 8000-8100`;
  return [lo, hi];
}

function parseTarget(value: string, kind: TargetKind): Target | string {
  if (kind === "port") {
    const p = parsePortValue(value);
    return typeof p === "string" ? p : { ports: p };
  }
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  if (kind === "url" || (kind === "target" && isUrl)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `${value} is not a URL`;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return `${value}: only http and https URLs are checked against a scope`;
    const host = parseHostValue(url.hostname);
    if (typeof host === "string") return host;
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    return { host, ports: [port, port] };
  }
  if (kind === "target") {
    const hp = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(value);
    if (hp) {
      const host = parseHostValue(hp[1] ?? hp[2] ?? "");
      const port = parsePortValue(hp[3] ?? "");
      if (typeof host === "string") return host;
      if (typeof port === "string") return port;
      return { host, ports: port };
    }
  }
  const host = parseHostValue(value);
  if (typeof host === "string") return host;
  if (kind === "cidr" && host.type !== "prefix") return `${value} is not an IP address or CIDR`;
  if (kind === "host" && host.type === "prefix" && host.prefix.bits !== familyBits(host.prefix.family)) return `${value} is a range, not one host`;
  return { host };
}

const portsCover = (rule: PortRange[] | undefined, p: PortRange) => !rule || rule.some(([lo, hi]) => lo <= p[0] && p[1] <= hi);
const portsOverlap = (rule: PortRange[] | undefined, p: PortRange) => !rule || rule.some(([lo, hi]) => lo <= p[1] && p[0] <= hi);

function hostMatches(rule: ScopeHost, t: TargetHost, mode: "covers" | "overlaps"): boolean {
  if (rule.type === "prefix" && t.type === "prefix") {
    return mode === "covers" ? prefixCovers(rule.prefix, t.prefix) : prefixesOverlap(rule.prefix, t.prefix);
  }
  if (rule.type === "name" && t.type === "name") {
    return rule.wildcard ? t.name.endsWith(`.${rule.name}`) : t.name === rule.name;
  }
  return false;
}

/** An allow rule covers the whole target; with no port given, the ports the tool picks are the network's to limit. */
function allows(rule: ScopeRule, t: Target): boolean {
  if (t.host && !hostMatches(rule.host, t.host, "covers")) return false;
  return !t.ports || portsCover(rule.ports, t.ports);
}

/** An exclusion wins over any part of the target it touches; an exclusion with ports spares a target with none. */
function excludes(rule: ScopeRule, t: Target): boolean {
  if (!t.host) return false; // a bare port is never excluded by a host's exclusion
  if (!hostMatches(rule.host, t.host, "overlaps")) return false;
  if (!rule.ports) return true;
  return t.ports !== undefined && portsOverlap(rule.ports, t.ports);
}

const rules = (list: string[]) => list.map(parseRule).filter((r): r is ScopeRule => typeof r !== "string");

const summary = (list: string[]) => (list.length <= 5 ? list.join(", ") : `${list.slice(0, 5).join(", ")} and ${list.length - 5} more`);

/** One target value (a single address, CIDR, name, URL, host:port or port) against a scope. */
export function checkTarget(scope: Scope, value: string, kind: TargetKind = "target"): TargetCheck {
  const text = value.trim();
  const t = parseTarget(text, kind);
  if (typeof t === "string") return { ok: false, reason: "invalid", rule: kind, message: t };
  const hit = rules(scope.exclude).find((r) => excludes(r, t));
  if (hit) return { ok: false, reason: "excluded", rule: hit.text, message: `${text} is excluded from the project's scope by ${hit.text}` };
  if (rules(scope.allow).some((r) => allows(r, t))) return { ok: true };
  const allowed = scope.allow.length ? summary(scope.allow) : "nothing";
  const excluded = scope.exclude.length ? `; excluded: ${summary(scope.exclude)}` : "";
  return { ok: false, reason: "outside", rule: `allowed: ${allowed}`, message: `${text} is outside the project's scope (allowed: ${allowed}${excluded})` };
}

/** At most this many targets in one parameter value are checked; more is refused. */
export const MAX_TARGETS_PER_VALUE = 1024;

/**
 * A parameter's value: a string of targets separated by spaces or commas (nmap's way), or a list;
 * each is checked and the first failure returned.
 */
export function checkTargets(scope: Scope, value: unknown, kind: TargetKind = "target"): TargetCheck {
  const items = targetItems(value);
  if (items.length > MAX_TARGETS_PER_VALUE) return { ok: false, reason: "invalid", rule: kind, message: `at most ${MAX_TARGETS_PER_VALUE} targets in one value` };
  for (const item of items) {
    const r = item === null ? ({ ok: false, reason: "invalid", rule: kind, message: "a target is text" } as const) : checkTarget(scope, item, kind);
    if (!r.ok) return r;
  }
  return { ok: true };
}

/** A parameter's value as target texts (null for an item that is no text). */
const targetItems = (value: unknown): (string | null)[] =>
  (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === "number" ? [String(v)] : typeof v === "string" ? v.split(/[\s,]+/).filter(Boolean) : [null]));

export interface CompiledPrefix { cidr: string; ports?: PortRange[] }
export interface CompiledName { name: string; wildcard: boolean; ports?: PortRange[] }
/** A scope as a runner's network rules need it: prefixes per family, names for its DNS responder, ports, services. */
export interface CompiledScope {
  v4: { allow: CompiledPrefix[]; exclude: CompiledPrefix[] };
  v6: { allow: CompiledPrefix[]; exclude: CompiledPrefix[] };
  names: { allow: CompiledName[]; exclude: CompiledName[] };
  services: ServiceEndpoint[];
}

export function compileScope(scope: Scope): CompiledScope {
  const out: CompiledScope = { v4: { allow: [], exclude: [] }, v6: { allow: [], exclude: [] }, names: { allow: [], exclude: [] }, services: [] };
  for (const list of ["allow", "exclude"] as const) {
    for (const r of rules(scope[list])) {
      const ports = r.ports ? { ports: r.ports } : {};
      if (r.host.type === "prefix") {
        const p = r.host.prefix;
        out[p.family === 4 ? "v4" : "v6"][list].push({ cidr: `${formatPrefix(p).split("/")[0]}/${p.bits}`, ...ports });
      } else {
        out.names[list].push({ name: r.host.name, wildcard: r.host.wildcard, ...ports });
      }
    }
  }
  out.services = scope.services.map(parseService).filter((s): s is ServiceEndpoint => typeof s !== "string");
  return out;
}

/** A manifest parameter's target kind; anything else a manifest says is no target kind. */
export function paramTargetKind(p: { kind?: unknown }): TargetKind | null {
  return (TARGET_KINDS as readonly unknown[]).includes(p.kind) ? (p.kind as TargetKind) : null;
}

/**
 * The target parameters of a function whose values fall outside the scope: parameter name → the
 * failed check. Absent and null values target nothing. The run form and the hub both ask here.
 */
export function argsOutOfScope(scope: Scope, params: readonly { name: string; kind?: unknown }[], args: Record<string, unknown>): Record<string, Extract<TargetCheck, { ok: false }>> {
  const out: Record<string, Extract<TargetCheck, { ok: false }>> = {};
  for (const p of params) {
    const kind = paramTargetKind(p);
    const value = args[p.name];
    if (!kind || value === undefined || value === null) continue;
    const r = checkTargets(scope, value, kind);
    if (!r.ok) out[p.name] = r;
  }
  return out;
}

/**
 * Whether a run needs IPv6 enforced: its scope has IPv6 rules, or a target parameter's value
 * names an IPv6 address or prefix. Such a run of a project that requires enforcement goes only
 * to workers whose engine enforces IPv6 too (lib/devices/placement.ts).
 */
export function namesIpv6(scope: CompiledScope, params: readonly { name: string; kind?: unknown }[], args: Record<string, unknown>): boolean {
  if (scope.v6.allow.length || scope.v6.exclude.length) return true;
  return params.some((p) => {
    const kind = paramTargetKind(p);
    if (!kind || kind === "port" || args[p.name] == null) return false;
    return targetItems(args[p.name])
      .slice(0, MAX_TARGETS_PER_VALUE)
      .some((item) => {
        const t = item === null ? null : parseTarget(item.trim(), kind);
        return t !== null && typeof t !== "string" && t.host?.type === "prefix" && t.host.prefix.family === 6;
      });
  });
}

const portRanges = z.array(z.tuple([z.number().int().min(1).max(65535), z.number().int().min(1).max(65535)])).max(32).optional();
const compiledPrefix = z.object({ cidr: z.string().min(1).max(50), ports: portRanges }).strict();
const compiledName = z.object({ name: z.string().min(1).max(253), wildcard: z.boolean(), ports: portRanges }).strict();
const family = z.object({ allow: z.array(compiledPrefix).max(MAX_SCOPE_RULES), exclude: z.array(compiledPrefix).max(MAX_SCOPE_RULES) }).strict();

/** A compiled scope as it travels in a run's policy (checked like the rest of the policy). */
export const compiledScopeSchema: z.ZodType<CompiledScope> = z
  .object({
    v4: family,
    v6: family,
    names: z.object({ allow: z.array(compiledName).max(MAX_SCOPE_RULES), exclude: z.array(compiledName).max(MAX_SCOPE_RULES) }).strict(),
    services: z.array(z.object({ host: z.string().min(1).max(300), port: z.number().int().min(1).max(65535) }).strict()).max(MAX_SCOPE_RULES),
  })
  .strict() as z.ZodType<CompiledScope>;

/** A compiled scope back as entry texts (the run page shows what a run carried). */
export function compiledEntries(c: CompiledScope): Scope {
  const ports = (p?: PortRange[]) => (p ? ` ${p.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(",")}` : "");
  // one address reads as itself: a v4 /32, a v6 /128
  const host = (cidr: string) => cidr.replace(cidr.includes(":") ? /\/128$/ : /\/32$/, "");
  const prefixes = (l: CompiledPrefix[]) => l.map((p) => `${host(p.cidr)}${ports(p.ports)}`);
  const names = (l: CompiledName[]) => l.map((n) => `${n.wildcard ? "*." : ""}${n.name}${ports(n.ports)}`);
  return {
    allow: [...prefixes(c.v4.allow), ...prefixes(c.v6.allow), ...names(c.names.allow)],
    exclude: [...prefixes(c.v4.exclude), ...prefixes(c.v6.exclude), ...names(c.names.exclude)],
    services: c.services.map((s) => `${s.host}:${s.port}`),
  };
}
