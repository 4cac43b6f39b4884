/**
 * The mappings a package version declares (`annot.Assets`, `annot.Findings`, recorded by
 * introspection in the manifest as `assets` and `findings`), read back and checked again (pure):
 * a manifest is a container's output. levrt refuses bad declarations when they are written
 * (runner/python/levrt/annot/_mapping.py); the same rules hold here, and a declaration that breaks
 * one is left out with the reason, never half used.
 */
import { z } from "zod";
import { isUnder, parsePath } from "./paths.ts";
import { parseTemplate } from "./templates.ts";
import { ASSET_KINDS, FINDING_SEVERITIES, type FindingSeverity } from "../schemas/finding-vocabulary.ts";

const MAX_DECLARATIONS = 64;
const MAX_CONDITIONS = 16;
const MAX_VALUES = 100;
const MAX_TEMPLATE = 300;

const schemaName = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/[|$\0]/.test(s), "a schema name has no '|', '$' or NUL");
const elementPath = z.string().refine((p) => parsePath(p, "element") !== null, "not a list path ('hosts[]')");
const fieldPath = z.string().refine((p) => parsePath(p, "field") !== null, "not a field path ('hosts[].ip')");
const anyPath = z.string().refine((p) => parsePath(p, "field") !== null || parsePath(p, "element") !== null, "not a path");
const template = z
  .string()
  .max(MAX_TEMPLATE)
  .superRefine((t, ctx) => {
    const parsed = parseTemplate(t);
    if (t.trim() === "" || t.includes("\n")) ctx.addIssue({ code: "custom", message: "one line of text" });
    else if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.problem });
  });
const scalar = z.union([z.string().max(200), z.number(), z.boolean(), z.null()]);

export const assetMappingSchema = z
  .object({
    schema: schemaName,
    hosts: elementPath.optional(),
    address: z.string().optional(),
    names: fieldPath.optional(),
    services: elementPath.optional(),
    port: fieldPath.optional(),
    protocol: fieldPath.optional(),
    state: fieldPath.optional(),
    service: fieldPath.optional(),
    product: fieldPath.optional(),
    version: fieldPath.optional(),
    origins: fieldPath.optional(),
  })
  .superRefine((a, ctx) => {
    for (const problem of assetMappingProblems(a)) ctx.addIssue({ code: "custom", message: problem });
  });
export type AssetMapping = z.output<typeof assetMappingSchema>;

export const findingMappingSchema = z
  .object({
    schema: schemaName,
    each: elementPath.optional(),
    key: template,
    title: template,
    severity: template,
    severities: z
      .record(z.string().min(1).max(100), z.enum(FINDING_SEVERITIES))
      .refine((r) => Object.keys(r).length <= MAX_VALUES, `at most ${MAX_VALUES} words`)
      .optional(),
    where: z
      .array(z.object({ path: fieldPath, in: z.array(scalar).min(1).max(MAX_VALUES) }))
      .max(MAX_CONDITIONS)
      .optional(),
    asset: z.enum(ASSET_KINDS).optional(),
    evidence: anyPath.optional(),
  })
  .transform((f) => ({ ...f, severities: Object.fromEntries(Object.entries(f.severities ?? {}).map(([w, s]) => [w.trim().toLowerCase(), s])) as Record<string, FindingSeverity> }));
export type FindingMapping = z.output<typeof findingMappingSchema>;

/** The rules `annot.Assets` enforces, as problems (empty: the declaration is sound). */
export function assetMappingProblems(a: Omit<AssetMapping, "schema">): string[] {
  const problems: string[] = [];
  const hosts = a.hosts ?? null;
  if (a.address === undefined && a.origins === undefined) problems.push("maps neither hosts (address) nor web origins (origins)");
  if (a.address !== undefined && a.address !== a.hosts && parsePath(a.address, "field") === null) problems.push("address is not a field path");
  if (a.address === undefined && [a.hosts, a.names, a.services, a.port].some((v) => v !== undefined)) problems.push("hosts and services need the host's address");
  if (a.address !== undefined && a.address !== a.hosts && !isUnder(a.address, hosts)) problems.push(`address ${a.address} does not lie in each host (${hosts})`);
  if (a.names !== undefined && !isUnder(a.names, hosts)) problems.push(`names ${a.names} do not lie in each host (${hosts})`);
  if (a.services !== undefined && !isUnder(a.services, hosts)) problems.push(`services ${a.services} are not a list in each host (${hosts})`);
  if (a.services !== undefined && a.port === undefined) problems.push("services need their port");
  const serviceFields = { protocol: a.protocol, state: a.state, service: a.service, product: a.product, version: a.version };
  if (a.port === undefined && Object.values(serviceFields).some((v) => v !== undefined)) problems.push("service fields without a port");
  const element = a.services ?? hosts;
  for (const [name, path] of Object.entries({ port: a.port, ...serviceFields })) {
    if (path !== undefined && !isUnder(path, element)) problems.push(`${name} ${path} does not lie in each service (${element})`);
  }
  return problems;
}

/** Why a finding's asset cannot come from its schema's asset mapping (null: it can, or none asked). */
export function findingAssetProblem(assets: AssetMapping | null, f: Pick<FindingMapping, "asset" | "each">): string | null {
  if (!f.asset) return null;
  if (!assets) return `asks for the ${f.asset}, but the schema has no asset mapping`;
  const each = f.each ?? null;
  const inside = (element: string | null) => element === null || each === element || (each !== null && each.startsWith(`${element}.`));
  if (f.asset === "host") {
    if (assets.address === undefined) return "asks for the host, but the schema's asset mapping maps no hosts";
    if (!inside(assets.hosts ?? null)) return `asks for the host, but each=${each} does not lie in the hosts (${assets.hosts})`;
  }
  if (f.asset === "service") {
    if (assets.port === undefined) return "asks for the service, but the schema's asset mapping maps no services";
    const element = assets.services ?? assets.hosts ?? null;
    if (!inside(element)) return `asks for the service, but each=${each} does not lie in the services (${element})`;
  }
  if (f.asset === "origin" && assets.origins === undefined) return "asks for the origin, but the schema's asset mapping maps no origins";
  return null;
}

/** A version's mappings, usable ones only, and why the others were left out. */
export interface DeclaredMappings {
  assets: AssetMapping[];
  findings: FindingMapping[];
  problems: string[];
}

/** The asset and finding mappings a manifest declares, each checked; bad ones are left out with the reason. */
export function declaredMappings(manifest: unknown): DeclaredMappings {
  const m = (manifest && typeof manifest === "object" ? manifest : {}) as { assets?: unknown; findings?: unknown };
  const out: DeclaredMappings = { assets: [], findings: [], problems: [] };
  const list = (v: unknown) => (Array.isArray(v) ? v.slice(0, MAX_DECLARATIONS) : []);
  for (const raw of list(m.assets)) {
    const r = assetMappingSchema.safeParse(raw);
    if (!r.success) out.problems.push(`an asset mapping is left out: ${issues(r.error)}`);
    else if (out.assets.some((a) => a.schema === r.data.schema)) out.problems.push(`a second asset mapping of ${r.data.schema} is left out`);
    else out.assets.push(r.data);
  }
  for (const raw of list(m.findings)) {
    const r = findingMappingSchema.safeParse(raw);
    if (!r.success) {
      out.problems.push(`a finding mapping is left out: ${issues(r.error)}`);
      continue;
    }
    const problem = findingAssetProblem(out.assets.find((a) => a.schema === r.data.schema) ?? null, r.data);
    if (problem) out.problems.push(`the finding mapping ${r.data.key} of ${r.data.schema} is left out: it ${problem}`);
    else if (out.findings.some((f) => f.schema === r.data.schema && f.key === r.data.key)) out.problems.push(`a second finding mapping ${r.data.key} of ${r.data.schema} is left out`);
    else out.findings.push(r.data);
  }
  return out;
}

/** Every issue of a refused declaration, each with the field it is about. */
function issues(err: z.ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/** The schema a collection holds: its last `|` segment (`demo1|szczecin/nmap_python.port_os@1.0`). */
export function schemaOf(coll: string): string {
  return coll.slice(coll.lastIndexOf("|") + 1);
}

/** The mappings for one collection: those of its exact schema, else those written without a version. */
export interface CollectionMappings {
  assets: AssetMapping | null;
  findings: FindingMapping[];
}

export function mappingsFor(coll: string, declared: Pick<DeclaredMappings, "assets" | "findings">): CollectionMappings {
  const schema = schemaOf(coll);
  const bare = schema.includes("@") ? schema.slice(0, schema.lastIndexOf("@")) : schema;
  const pick = (s: string) => ({ assets: declared.assets.find((a) => a.schema === s) ?? null, findings: declared.findings.filter((f) => f.schema === s) });
  const exact = pick(schema);
  return exact.assets || exact.findings.length ? exact : pick(bare);
}

/** Whether a collection's documents map to anything. */
export const maps = (m: CollectionMappings) => m.assets !== null || m.findings.length > 0;
