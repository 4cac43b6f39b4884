/**
 * One stored document, mapped (pure): (document, its collection's mappings) → the hosts,
 * services, web origins and findings it shows, and why anything in it was not mapped. Every value
 * is checked (values.ts); every list has a cap; a document cannot make the mapping walk further
 * than MAPPING_LIMITS.visited items. The same function feeds the inventory at ingest and the run
 * page's tables.
 */
import { evidenceOf, type Evidence } from "./evidence.ts";
import type { AssetMapping, CollectionMappings, FindingMapping } from "./declarations.ts";
import { Budget, elements, readValues, readWhole, rootContext, type Context } from "./paths.ts";
import { parseTemplate, renderTemplate, type TemplatePart } from "./templates.ts";
import { isScalar, oneLine, parseAddress, parseHostName, parseOrigin, parsePort, parseProtocol, parseSeverity, shown, type Origin, type Scalar } from "./values.ts";
import { NO_SERVICE_STATES, type FindingSeverity, type ServiceProtocol } from "../schemas/finding-vocabulary.ts";

export const MAPPING_LIMITS = {
  hosts: 20_000,
  services: 100_000,
  origins: 20_000,
  findings: 20_000,
  /** items and fields a mapping may visit in one document */
  visited: 2_000_000,
  namesPerHost: 32,
  /** problems kept per document (the rest are counted) */
  problems: 20,
  text: { name: 253, service: 100, product: 200, version: 100, state: 40, key: 500, title: 300 },
};

export interface MappedHost {
  address: string;
  names: string[];
  /** the concrete path of its element ("" for the document) */
  at: string;
}

export interface MappedService {
  address: string;
  protocol: ServiceProtocol;
  port: number;
  /** as the document says (open, open|filtered …); null when it says nothing */
  state: string | null;
  service: string | null;
  product: string | null;
  version: string | null;
  at: string;
}

export interface MappedOrigin extends Origin {
  at: string;
}

export type AssetRef =
  | { kind: "host"; address: string }
  | { kind: "service"; address: string; protocol: ServiceProtocol; port: number }
  | { kind: "origin"; scheme: Origin["scheme"]; host: string; port: number };

export interface MappedFinding {
  /** the mapping's key template: which declaration found it */
  mapping: string;
  key: string;
  title: string;
  severity: FindingSeverity;
  /** null: about the project as a whole */
  asset: AssetRef | null;
  evidence: Evidence;
}

/** A row of the run page's table: every host element and port the document lists, whatever its state. */
export interface ServiceRow {
  address: string;
  names: string[];
  port: number | null;
  protocol: ServiceProtocol | null;
  state: string | null;
  service: string | null;
  product: string | null;
  version: string | null;
}

export interface MappedDocument {
  hosts: MappedHost[];
  services: MappedService[];
  origins: MappedOrigin[];
  findings: MappedFinding[];
  /** ports whose state says nothing listens (closed, filtered): listed in the document, no service */
  noService: number;
  /** why items were not mapped, the first MAPPING_LIMITS.problems of them */
  problems: string[];
  /** items not mapped (each has a problem, kept or counted) */
  skipped: number;
}

class Problems {
  readonly list: string[] = [];
  skipped = 0;
  constructor(private readonly max: number) {}
  add(at: string, problem: string) {
    this.skipped++;
    if (this.list.length < this.max) this.list.push(at ? `${at}: ${problem}` : problem);
  }
}

const first = (path: string | undefined, ctx: Context, budget: Budget) => (path === undefined ? undefined : readValues(path, ctx, budget)[0]);
const text = (v: unknown, max: number): string | null => (typeof v === "string" && v.trim() ? oneLine(v, max) : typeof v === "number" ? String(v) : null);

interface HostHit {
  address: string;
  at: string;
}

/** The host an element context is in (its address checked), or the reason there is none. */
function hostOf(a: AssetMapping, ctx: Context, budget: Budget): { ok: true; host: HostHit } | { ok: false; problem: string; at: string } {
  let hostCtx = ctx;
  let at = "";
  if (a.hosts) {
    const bound = ctx.bound.get(a.hosts);
    if (!bound) return { ok: false, problem: "not inside a host", at: "" };
    at = bound.at;
    hostCtx = ctx;
  }
  const raw = a.address === a.hosts ? { value: ctx.bound.get(a.hosts!)?.item, at } : first(a.address, hostCtx, budget);
  if (!raw) return { ok: false, problem: `no address (${a.address})`, at };
  const addr = parseAddress(raw.value);
  return addr.ok ? { ok: true, host: { address: addr.value, at } } : { ok: false, problem: addr.problem, at: raw.at };
}

function serviceOf(a: AssetMapping, address: string, ctx: Context, budget: Budget): { ok: true; service: MappedService } | { ok: false; problem: string; at: string } {
  const element = a.services ?? a.hosts;
  const at = element ? (ctx.bound.get(element)?.at ?? "") : "";
  const port = first(a.port, ctx, budget);
  if (!port) return { ok: false, problem: `no port (${a.port})`, at };
  const p = parsePort(port.value);
  if (!p.ok) return { ok: false, problem: p.problem, at: port.at };
  const protoRaw = first(a.protocol, ctx, budget);
  const proto = parseProtocol(protoRaw?.value);
  if (!proto.ok) return { ok: false, problem: proto.problem, at: protoRaw?.at ?? at };
  const state = text(first(a.state, ctx, budget)?.value, MAPPING_LIMITS.text.state)?.toLowerCase() ?? null;
  const L = MAPPING_LIMITS.text;
  return {
    ok: true,
    service: {
      address,
      protocol: proto.value,
      port: p.value,
      state,
      service: text(first(a.service, ctx, budget)?.value, L.service),
      product: text(first(a.product, ctx, budget)?.value, L.product),
      version: text(first(a.version, ctx, budget)?.value, L.version),
      at,
    },
  };
}

const isService = (s: { state: string | null }) => s.state === null || !NO_SERVICE_STATES.includes(s.state);
const serviceKey = (address: string, protocol: string, port: number) => `${address}|${protocol}|${port}`;
const originKey = (o: Origin) => `${o.scheme}|${o.host}|${o.port}`;

/** The elements a mapping's items are: the list path's items, or the document itself. */
function* itemsOf(path: string | undefined, ctx: Context, budget: Budget): Generator<Context> {
  if (path === undefined) yield ctx;
  else yield* elements(path, ctx, budget);
}

interface Compiled {
  mapping: FindingMapping;
  key: TemplatePart[];
  title: TemplatePart[];
  severity: TemplatePart[];
}

function compile(f: FindingMapping): Compiled | null {
  const [key, title, severity] = [f.key, f.title, f.severity].map(parseTemplate);
  return key.ok && title.ok && severity.ok ? { mapping: f, key: key.parts, title: title.parts, severity: severity.parts } : null;
}

function matches(f: FindingMapping, ctx: Context, budget: Budget): boolean {
  return (f.where ?? []).every((c) => {
    const values = readValues(c.path, ctx, budget).map((v) => v.value);
    return values.some((v) => isScalar(v) && c.in.some((w: Scalar) => w === v || (typeof w === "number" && typeof v === "string" && v.trim() !== "" && Number(v) === w)));
  });
}

/**
 * Maps one document. `opts.rows` also lists the run page's rows (every port, closed ones too).
 * Hosts, services and origins met twice are kept once (names merged); a finding met twice in one
 * document (same asset and key) is kept once, with the first evidence.
 */
export function mapDocument(doc: unknown, m: CollectionMappings, opts: { rows?: boolean; limits?: Partial<typeof MAPPING_LIMITS> } = {}): MappedDocument & { rows: ServiceRow[] } {
  const limits = { ...MAPPING_LIMITS, ...opts.limits };
  const budget = new Budget(limits.visited);
  const problems = new Problems(limits.problems);
  const hosts = new Map<string, MappedHost>();
  const services = new Map<string, MappedService>();
  const origins = new Map<string, MappedOrigin>();
  const findings = new Map<string, MappedFinding>();
  const rows: ServiceRow[] = [];
  let noService = 0;
  const root = rootContext(doc);
  const a = m.assets;

  if (a?.address !== undefined) {
    for (const hctx of itemsOf(a.hosts, root, budget)) {
      const h = hostOf(a, hctx, budget);
      if (!h.ok) {
        problems.add(h.at, h.problem);
        continue;
      }
      const { address, at } = h.host;
      const names: string[] = [];
      for (const n of a.names === undefined ? [] : readValues(a.names, hctx, budget)) {
        if (n.value === null || n.value === "") continue;
        const name = parseHostName(n.value);
        if (!name.ok) problems.add(n.at, name.problem);
        else if (!names.includes(name.value) && names.length < limits.namesPerHost) names.push(name.value);
      }
      const known = hosts.get(address);
      if (known) {
        for (const n of names) if (!known.names.includes(n) && known.names.length < limits.namesPerHost) known.names.push(n);
      } else if (hosts.size >= limits.hosts) {
        problems.add(at, `past the ${limits.hosts}th host: not mapped`);
        continue;
      } else hosts.set(address, { address, names, at });
      let listed = 0;
      if (a.port !== undefined) {
        for (const sctx of itemsOf(a.services, hctx, budget)) {
          const s = serviceOf(a, address, sctx, budget);
          if (!s.ok) {
            problems.add(s.at, s.problem);
            continue;
          }
          listed++;
          if (opts.rows) rows.push({ address, names, port: s.service.port, protocol: s.service.protocol, state: s.service.state, service: s.service.service, product: s.service.product, version: s.service.version });
          if (!isService(s.service)) {
            noService++;
            continue;
          }
          const k = serviceKey(address, s.service.protocol, s.service.port);
          if (services.has(k)) continue;
          if (services.size >= limits.services) {
            problems.add(s.service.at, `past the ${limits.services}th service: not mapped`);
            continue;
          }
          services.set(k, s.service);
        }
      }
      if (opts.rows && !listed) rows.push({ address, names, port: null, protocol: null, state: null, service: null, product: null, version: null });
    }
  }

  if (a?.origins !== undefined) {
    for (const u of readValues(a.origins, root, budget)) {
      if (u.value === null || u.value === "") continue;
      const o = parseOrigin(u.value);
      if (!o.ok) {
        problems.add(u.at, o.problem);
        continue;
      }
      const k = originKey(o.value);
      if (origins.has(k)) continue;
      if (origins.size >= limits.origins) {
        problems.add(u.at, `past the ${limits.origins}th origin: not mapped`);
        continue;
      }
      origins.set(k, { ...o.value, at: u.at });
    }
  }

  for (const f of m.findings) {
    const c = compile(f);
    if (!c) continue;
    for (const ctx of itemsOf(f.each, root, budget)) {
      if (!matches(f, ctx, budget)) continue;
      const at = f.each ? (ctx.bound.get(f.each)?.at ?? "") : "";
      const key = oneLine(renderTemplate(c.key, ctx), limits.text.key);
      if (!key) {
        problems.add(at, `finding ${f.key}: its key reads as nothing`);
        continue;
      }
      const sev = parseSeverity(renderTemplate(c.severity, ctx), f.severities);
      if (!sev.ok) {
        problems.add(at, `finding ${f.key}: ${sev.problem}`);
        continue;
      }
      const asset = assetFor(f, a, ctx, budget, { hosts, services, origins });
      if (!asset.ok) {
        problems.add(at, `finding ${f.key}: ${asset.problem}`);
        continue;
      }
      const id = `${f.key}\u0000${key}\u0000${asset.ref ? JSON.stringify(asset.ref) : ""}`;
      if (findings.has(id)) continue;
      if (findings.size >= limits.findings) {
        problems.add(at, `past the ${limits.findings}th finding: not mapped`);
        continue;
      }
      const ev = f.evidence === undefined ? (f.each ? { value: ctx.bound.get(f.each)?.item, at } : { value: doc, at: "" }) : readWhole(f.evidence, ctx);
      const title = oneLine(renderTemplate(c.title, ctx), limits.text.title) || key;
      findings.set(id, { mapping: f.key, key, title, severity: sev.value, asset: asset.ref, evidence: evidenceOf(ev?.value ?? null, ev?.at ?? at) });
    }
  }

  if (budget.visited > budget.max) problems.add("", `the document is larger than a mapping reads (${budget.max} items and fields): the rest is not mapped`);
  return { hosts: [...hosts.values()], services: [...services.values()], origins: [...origins.values()], findings: [...findings.values()], noService, problems: problems.list, skipped: problems.skipped, rows };
}

/** The asset a finding is about, among those this document maps; its absence is a problem. */
function assetFor(
  f: FindingMapping,
  a: AssetMapping | null,
  ctx: Context,
  budget: Budget,
  mapped: { hosts: Map<string, MappedHost>; services: Map<string, MappedService>; origins: Map<string, MappedOrigin> },
): { ok: true; ref: AssetRef | null } | { ok: false; problem: string } {
  if (!f.asset) return { ok: true, ref: null };
  if (!a) return { ok: false, problem: `no asset mapping gives its ${f.asset}` };
  if (f.asset === "origin") {
    const u = a.origins === undefined ? undefined : readValues(a.origins, ctx, budget).find((v) => v.value !== null && v.value !== "");
    const o = u ? parseOrigin(u.value) : null;
    if (!o?.ok) return { ok: false, problem: o ? o.problem : "no origin" };
    return mapped.origins.has(originKey(o.value)) ? { ok: true, ref: { kind: "origin", ...o.value } } : { ok: false, problem: "its origin is not mapped" };
  }
  const h = hostOf(a, ctx, budget);
  if (!h.ok) return { ok: false, problem: `its host: ${h.problem}` };
  if (!mapped.hosts.has(h.host.address)) return { ok: false, problem: "its host is not mapped" };
  if (f.asset === "host") return { ok: true, ref: { kind: "host", address: h.host.address } };
  const s = serviceOf(a, h.host.address, ctx, budget);
  if (!s.ok) return { ok: false, problem: `its service: ${s.problem}` };
  if (!mapped.services.has(serviceKey(h.host.address, s.service.protocol, s.service.port))) {
    return { ok: false, problem: `its service ${s.service.port}/${s.service.protocol} on ${h.host.address} is not one (state ${shown(s.service.state)})` };
  }
  return { ok: true, ref: { kind: "service", address: h.host.address, protocol: s.service.protocol, port: s.service.port } };
}
