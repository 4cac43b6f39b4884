import "server-only";
import { db } from "../platform/db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { versionClosure } from "../packages/dependency-load.ts";
import { EVENT_SAMPLE, recordProjectEvent } from "../events/events.ts";
import { declaredMappings, maps, mappingsFor, type DeclaredMappings } from "./declarations.ts";
import { mapDocument, type AssetRef, type MappedDocument } from "./mapping.ts";
import { originText } from "./values.ts";

/**
 * Where stored documents become assets and findings: after a document is written to the results
 * index, it is mapped (mapping.ts) with the mappings of the run's version (and of the versions it
 * depends on), and the project's inventory is brought up to date in ONE transaction — hosts,
 * services and origins upserted, what the run saw recorded, findings deduplicated by (project,
 * asset, key), a fixed finding seen again by a run started after it was fixed reopened, each
 * creation and reopening recorded as a state change, evidence kept, the project's events written.
 *
 * Idempotent: mapping a document again (a merge, a repair) changes nothing it already recorded
 * and emits no event twice. Rows are written in key order so concurrent mappings lock alike.
 */

type Tx = Prisma.TransactionClient;

interface RunFacts {
  runId: string;
  projectId: string;
  number: number;
  createdAt: Date;
  /** when the run's sightings happened: its start (its creation if it never started) */
  seenAt: Date;
  tool: string;
  function: string;
  versionId: string;
}

const VERSION_CACHE = 200;
const mappingCache = new Map<string, DeclaredMappings>();

/** The mappings a version declares, with those of its pinned dependencies (its own first); versions never change. */
async function versionMappings(versionId: string): Promise<DeclaredMappings> {
  const hit = mappingCache.get(versionId);
  if (hit) return hit;
  const closure = await versionClosure(versionId);
  const rows = await db().packageVersion.findMany({ where: { id: { in: [versionId, ...closure.map((m) => m.id)] } }, select: { id: true, manifest: true } });
  const ordered = [versionId, ...closure.map((m) => m.id)].map((id) => rows.find((r) => r.id === id)).filter((r) => r !== undefined);
  const out: DeclaredMappings = { assets: [], findings: [], problems: [] };
  for (const r of ordered) {
    const d = declaredMappings(r.manifest);
    const own = new Set([...out.assets.map((a) => a.schema), ...out.findings.map((f) => f.schema)]);
    out.assets.push(...d.assets.filter((a) => !own.has(a.schema)));
    out.findings.push(...d.findings.filter((f) => !own.has(f.schema)));
    if (r.id === versionId) out.problems.push(...d.problems);
  }
  if (mappingCache.size >= VERSION_CACHE) mappingCache.delete(mappingCache.keys().next().value as string);
  mappingCache.set(versionId, out);
  return out;
}

async function runFacts(runId: string): Promise<RunFacts | null> {
  const r = await db().run.findUnique({
    where: { id: runId },
    select: { projectId: true, number: true, createdAt: true, startedAt: true, function: true, versionId: true, version: { select: { package: { select: { name: true, namespace: { select: { name: true } } } } } } },
  });
  if (!r) return null;
  return { runId, projectId: r.projectId, number: r.number, createdAt: r.createdAt, seenAt: r.startedAt ?? r.createdAt, tool: `${r.version.package.namespace.name}.${r.version.package.name}`, function: r.function, versionId: r.versionId };
}

/** Whether a collection of this run's version maps to anything (nothing to do for most documents). */
export async function runMaps(runId: string, coll: string): Promise<boolean> {
  const facts = await runFacts(runId);
  return facts !== null && maps(mappingsFor(coll, await versionMappings(facts.versionId)));
}

export interface StoredDocumentRef {
  runId: string;
  coll: string;
  job: number;
  task: number;
}

export interface Derived {
  hosts: number;
  services: number;
  origins: number;
  findings: number;
  newServices: number;
  newFindings: number;
  reopened: number;
  skipped: number;
}

/**
 * Maps one stored document (as MongoDB has it after the write) into its project's inventory.
 * Null when its collection maps to nothing. Throws only when the database does (the caller
 * retries: nothing of a failed mapping is kept).
 */
export async function deriveDocument(ref: StoredDocumentRef, doc: unknown): Promise<Derived | null> {
  const facts = await runFacts(ref.runId);
  if (!facts) return null;
  const m = mappingsFor(ref.coll, await versionMappings(facts.versionId));
  if (!maps(m)) return null;
  const mapped = mapDocument(doc, m);
  return db().$transaction((tx) => writeMapped(tx, facts, ref, mapped), { timeout: 120_000, maxWait: 30_000 });
}

/** The mapping's findings on an asset, as an event and a page name it. */
export function assetLabel(a: AssetRef | null): string {
  if (!a) return "the project";
  if (a.kind === "host") return a.address;
  if (a.kind === "service") return `${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}/${a.protocol}`;
  return originText(a);
}

const json = (v: unknown) => JSON.stringify(v);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function writeMapped(tx: Tx, f: RunFacts, ref: StoredDocumentRef, mapped: MappedDocument): Promise<Derived> {
  const now = new Date();
  const hosts = [...mapped.hosts].sort((a, b) => byText(a.address, b.address));
  const services = [...mapped.services].sort((a, b) => byText(a.address, b.address) || byText(a.protocol, b.protocol) || a.port - b.port);
  const origins = [...mapped.origins].sort((a, b) => byText(a.scheme, b.scheme) || byText(a.host, b.host) || a.port - b.port);
  const common = [f.projectId, f.seenAt, f.runId];

  if (hosts.length) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "AssetHost" AS h ("projectId", "address", "names", "firstSeen", "lastSeen", "firstRunId", "lastRunId")
       SELECT $1, x."address"::inet, x."names", $2, $2, $3, $3 FROM jsonb_to_recordset($4::jsonb) AS x("address" text, "names" text[]) ORDER BY x."address"::inet
       ON CONFLICT ("projectId", "address") DO UPDATE SET
         "names" = CASE WHEN EXCLUDED."names" <@ h."names" THEN h."names" ELSE (SELECT array_agg(DISTINCT n ORDER BY n) FROM unnest(h."names" || EXCLUDED."names") n)[1:32] END,
         "firstRunId" = CASE WHEN EXCLUDED."firstSeen" < h."firstSeen" THEN EXCLUDED."firstRunId" ELSE h."firstRunId" END,
         "firstSeen" = LEAST(h."firstSeen", EXCLUDED."firstSeen"),
         "lastRunId" = CASE WHEN EXCLUDED."lastSeen" > h."lastSeen" THEN EXCLUDED."lastRunId" ELSE h."lastRunId" END,
         "lastSeen" = GREATEST(h."lastSeen", EXCLUDED."lastSeen")
       WHERE NOT (EXCLUDED."names" <@ h."names") OR EXCLUDED."firstSeen" < h."firstSeen" OR EXCLUDED."lastSeen" > h."lastSeen"`,
      ...common,
      json(hosts.map((h) => ({ address: h.address, names: h.names }))),
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO "AssetObservation" ("projectId", "runId", "hostId", "coll", "job", "task", "seenAt")
       SELECT $1, $3, h."id", $5, $6, $7, $2 FROM jsonb_array_elements_text($4::jsonb) a JOIN "AssetHost" h ON h."projectId" = $1 AND h."address" = a::inet ORDER BY h."id"
       ON CONFLICT ("runId", "hostId") WHERE "serviceId" IS NULL AND "hostId" IS NOT NULL DO NOTHING`,
      ...common,
      json(hosts.map((h) => h.address)),
      ref.coll,
      ref.job,
      ref.task,
    );
  }

  let newServices: { address: string; port: number; protocol: string; service: string | null }[] = [];
  if (services.length) {
    const input = json(services.map((s) => ({ address: s.address, protocol: s.protocol, port: s.port, state: s.state, service: s.service, product: s.product, version: s.version })));
    const recordset = `jsonb_to_recordset($4::jsonb) AS x("address" text, "protocol" text, "port" int, "state" text, "service" text, "product" text, "version" text)`;
    // a later sighting's description replaces an earlier one's; what it leaves out stays
    const latest = (c: string) => `CASE WHEN EXCLUDED."lastSeen" >= s."lastSeen" THEN coalesce(EXCLUDED."${c}", s."${c}") ELSE s."${c}" END`;
    newServices = await tx.$queryRawUnsafe(
      `WITH up AS (
         INSERT INTO "AssetService" AS s ("projectId", "hostId", "protocol", "port", "state", "service", "product", "version", "firstSeen", "lastSeen", "firstRunId", "lastRunId")
         SELECT $1, h."id", x."protocol", x."port", x."state", x."service", x."product", x."version", $2, $2, $3, $3
           FROM ${recordset} JOIN "AssetHost" h ON h."projectId" = $1 AND h."address" = x."address"::inet
          ORDER BY h."id", x."protocol", x."port"
         ON CONFLICT ("hostId", "protocol", "port") DO UPDATE SET
           "state" = ${latest("state")}, "service" = ${latest("service")}, "product" = ${latest("product")}, "version" = ${latest("version")},
           "firstRunId" = CASE WHEN EXCLUDED."firstSeen" < s."firstSeen" THEN EXCLUDED."firstRunId" ELSE s."firstRunId" END,
           "firstSeen" = LEAST(s."firstSeen", EXCLUDED."firstSeen"),
           "lastRunId" = CASE WHEN EXCLUDED."lastSeen" > s."lastSeen" THEN EXCLUDED."lastRunId" ELSE s."lastRunId" END,
           "lastSeen" = GREATEST(s."lastSeen", EXCLUDED."lastSeen")
         WHERE EXCLUDED."firstSeen" < s."firstSeen" OR EXCLUDED."lastSeen" > s."lastSeen"
            OR (EXCLUDED."lastSeen" = s."lastSeen" AND (s."state", s."service", s."product", s."version") IS DISTINCT FROM (${latest("state")}, ${latest("service")}, ${latest("product")}, ${latest("version")}))
         RETURNING s."hostId", s."protocol", s."port", s."service", (xmax = 0) AS "inserted"
       )
       SELECT host(h."address") AS "address", up."port", up."protocol", up."service" FROM up JOIN "AssetHost" h ON h."id" = up."hostId" WHERE up."inserted" ORDER BY h."address", up."protocol", up."port"`,
      ...common,
      input,
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO "AssetObservation" ("projectId", "runId", "hostId", "serviceId", "coll", "job", "task", "state", "product", "version", "seenAt")
       SELECT $1, $3, h."id", s."id", $5, $6, $7, x."state", x."product", x."version", $2
         FROM jsonb_to_recordset($4::jsonb) AS x("address" text, "protocol" text, "port" int, "state" text, "product" text, "version" text)
         JOIN "AssetHost" h ON h."projectId" = $1 AND h."address" = x."address"::inet
         JOIN "AssetService" s ON s."hostId" = h."id" AND s."protocol" = x."protocol" AND s."port" = x."port"
        ORDER BY s."id"
       ON CONFLICT ("runId", "serviceId") WHERE "serviceId" IS NOT NULL DO NOTHING`,
      ...common,
      input,
      ref.coll,
      ref.job,
      ref.task,
    );
  }

  if (origins.length) {
    const input = json(origins.map((o) => ({ scheme: o.scheme, host: o.host, port: o.port })));
    await tx.$executeRawUnsafe(
      `INSERT INTO "AssetOrigin" AS o ("projectId", "scheme", "host", "port", "firstSeen", "lastSeen", "firstRunId", "lastRunId")
       SELECT $1, x."scheme", x."host", x."port", $2, $2, $3, $3 FROM jsonb_to_recordset($4::jsonb) AS x("scheme" text, "host" text, "port" int) ORDER BY 2, 3, 4
       ON CONFLICT ("projectId", "scheme", "host", "port") DO UPDATE SET
         "firstRunId" = CASE WHEN EXCLUDED."firstSeen" < o."firstSeen" THEN EXCLUDED."firstRunId" ELSE o."firstRunId" END,
         "firstSeen" = LEAST(o."firstSeen", EXCLUDED."firstSeen"),
         "lastRunId" = CASE WHEN EXCLUDED."lastSeen" > o."lastSeen" THEN EXCLUDED."lastRunId" ELSE o."lastRunId" END,
         "lastSeen" = GREATEST(o."lastSeen", EXCLUDED."lastSeen")
       WHERE EXCLUDED."firstSeen" < o."firstSeen" OR EXCLUDED."lastSeen" > o."lastSeen"`,
      ...common,
      input,
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO "AssetObservation" ("projectId", "runId", "originId", "coll", "job", "task", "seenAt")
       SELECT $1, $3, o."id", $5, $6, $7, $2 FROM jsonb_to_recordset($4::jsonb) AS x("scheme" text, "host" text, "port" int)
         JOIN "AssetOrigin" o ON o."projectId" = $1 AND o."scheme" = x."scheme" AND o."host" = x."host" AND o."port" = x."port" ORDER BY o."id"
       ON CONFLICT ("runId", "originId") WHERE "originId" IS NOT NULL DO NOTHING`,
      ...common,
      input,
      ref.coll,
      ref.job,
      ref.task,
    );
  }

  const found = await writeFindings(tx, f, ref, mapped, now);

  await tx.$executeRawUnsafe(
    `INSERT INTO "DocumentMapping" ("coll", "job", "task", "runId", "projectId", "hosts", "services", "origins", "findings", "skipped", "problems", "mappedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12)
     ON CONFLICT ("coll", "job", "task") DO UPDATE SET "hosts" = EXCLUDED."hosts", "services" = EXCLUDED."services", "origins" = EXCLUDED."origins",
       "findings" = EXCLUDED."findings", "skipped" = EXCLUDED."skipped", "problems" = EXCLUDED."problems", "mappedAt" = EXCLUDED."mappedAt"`,
    ref.coll,
    ref.job,
    ref.task,
    f.runId,
    f.projectId,
    hosts.length,
    services.length,
    origins.length,
    mapped.findings.length,
    mapped.skipped,
    json(mapped.problems),
    now,
  );

  const run = { id: f.runId, number: f.number };
  if (newServices.length) {
    await recordProjectEvent(tx, { projectId: f.projectId, type: "assets.new_services", data: { run, count: newServices.length, services: newServices.slice(0, EVENT_SAMPLE) } });
  }
  const sample = (rows: FindingRow[]) => rows.slice(0, EVENT_SAMPLE).map((r) => ({ id: String(r.id), title: r.title, severity: r.severity, asset: r.label }));
  if (found.created.length) await recordProjectEvent(tx, { projectId: f.projectId, type: "finding.new", data: { run, count: found.created.length, findings: sample(found.created) } });
  if (found.reopened.length) {
    await recordProjectEvent(tx, { projectId: f.projectId, type: "finding.reopened", data: { run, count: found.reopened.length, findings: sample(found.reopened) } });
    await tx.auditEvent.create({
      data: { actorId: null, action: "finding.reopen", target: f.runId, projectId: f.projectId, data: { run: f.number, count: found.reopened.length, findings: found.reopened.slice(0, 100).map((r) => String(r.id)) } },
    });
  }
  return {
    hosts: hosts.length,
    services: services.length,
    origins: origins.length,
    findings: mapped.findings.length,
    newServices: newServices.length,
    newFindings: found.created.length,
    reopened: found.reopened.length,
    skipped: mapped.skipped,
  };
}

interface FindingRow {
  id: bigint;
  title: string;
  severity: string;
  label: string;
  inserted: boolean;
  reopened: boolean;
}

/**
 * The finding input with each asset resolved to its row, and the dedupe key's asset (`s:<id>`…).
 * `y` is MATERIALIZED so its "assetRef" is a column the joins on Finding's (project, asset, key)
 * key can use: inlined, the planner joined Finding on the key alone (every finding of one mapping
 * shares it) and filtered the product — 1,000 findings took 6 s, 2,000 took 15 (bench:findings).
 */
const RESOLVED = `
  x AS (
    SELECT r.*, h."id" AS "hostId", s."id" AS "serviceId", o."id" AS "originId"
      FROM jsonb_to_recordset($4::jsonb) AS r("kind" text, "address" text, "protocol" text, "port" int, "scheme" text, "ohost" text,
                                               "key" text, "title" text, "severity" "FindingSeverity", "label" text, "path" text, "excerpt" text, "sha256" text)
      LEFT JOIN "AssetHost" h ON r."kind" IN ('host', 'service') AND h."projectId" = $1 AND h."address" = r."address"::inet
      LEFT JOIN "AssetService" s ON r."kind" = 'service' AND s."hostId" = h."id" AND s."protocol" = r."protocol" AND s."port" = r."port"
      LEFT JOIN "AssetOrigin" o ON r."kind" = 'origin' AND o."projectId" = $1 AND o."scheme" = r."scheme" AND o."host" = r."ohost" AND o."port" = r."port"
  ),
  y AS MATERIALIZED (
    SELECT x.*, CASE x."kind" WHEN 'host' THEN 'h:' || x."hostId" WHEN 'service' THEN 's:' || x."serviceId" WHEN 'origin' THEN 'o:' || x."originId" ELSE '' END AS "assetRef"
      FROM x
  )`;

async function writeFindings(tx: Tx, f: RunFacts, ref: StoredDocumentRef, mapped: MappedDocument, now: Date): Promise<{ created: FindingRow[]; reopened: FindingRow[] }> {
  if (!mapped.findings.length) return { created: [], reopened: [] };
  // two declarations may name one finding alike (the same key on the same asset): one row, the first's
  const seen = new Set<string>();
  const unique = mapped.findings.filter((x) => {
    const id = `${assetLabel(x.asset)}\u0000${x.key}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  const input = json(
    unique.map((x) => {
      const a = x.asset;
      return {
        kind: a?.kind ?? null,
        address: a && a.kind !== "origin" ? a.address : null,
        protocol: a?.kind === "service" ? a.protocol : null,
        port: a?.kind === "service" || a?.kind === "origin" ? a.port : null,
        scheme: a?.kind === "origin" ? a.scheme : null,
        ohost: a?.kind === "origin" ? a.host : null,
        key: x.key,
        title: x.title,
        severity: x.severity,
        label: assetLabel(a),
        path: x.evidence.path,
        excerpt: x.evidence.excerpt,
        sha256: x.evidence.sha256,
      };
    }),
  );
  // $1 project, $2 seen at, $3 run, $4 input, $5 the run's creation, $6 now, $7 tool, $8 function, $9 schema
  const reopen = `f."state" = 'fixed' AND $5::timestamp(3) > f."stateAt"`;
  const latest = (c: string) => `CASE WHEN EXCLUDED."lastSeen" >= f."lastSeen" THEN EXCLUDED."${c}" ELSE f."${c}" END`;
  const schema = ref.coll.slice(ref.coll.lastIndexOf("|") + 1);
  const rows = await tx.$queryRawUnsafe<FindingRow[]>(
    `WITH ${RESOLVED},
     up AS (
       INSERT INTO "Finding" AS f ("projectId", "assetRef", "hostId", "serviceId", "originId", "key", "title", "severity", "stateAt", "firstSeen", "lastSeen", "firstRunId", "lastRunId", "tool", "function", "schema")
       SELECT $1, y."assetRef", y."hostId", y."serviceId", y."originId", y."key", y."title", y."severity", $6, $2, $2, $3, $3, $7, $8, $9
         FROM y WHERE y."assetRef" IS NOT NULL ORDER BY y."assetRef", y."key"
       ON CONFLICT ("projectId", "assetRef", "key") DO UPDATE SET
         "title" = ${latest("title")}, "severity" = ${latest("severity")},
         "firstRunId" = CASE WHEN EXCLUDED."firstSeen" < f."firstSeen" THEN EXCLUDED."firstRunId" ELSE f."firstRunId" END,
         "firstSeen" = LEAST(f."firstSeen", EXCLUDED."firstSeen"),
         "lastRunId" = CASE WHEN EXCLUDED."lastSeen" > f."lastSeen" THEN EXCLUDED."lastRunId" ELSE f."lastRunId" END,
         "lastSeen" = GREATEST(f."lastSeen", EXCLUDED."lastSeen"),
         "state" = CASE WHEN ${reopen} THEN 'new'::"FindingState" ELSE f."state" END,
         "stateById" = CASE WHEN ${reopen} THEN NULL ELSE f."stateById" END,
         "stateAt" = CASE WHEN ${reopen} THEN $6 ELSE f."stateAt" END
       WHERE EXCLUDED."firstSeen" < f."firstSeen" OR EXCLUDED."lastSeen" > f."lastSeen" OR (${reopen})
          OR (EXCLUDED."lastSeen" = f."lastSeen" AND (f."title", f."severity") IS DISTINCT FROM (EXCLUDED."title", EXCLUDED."severity"))
       RETURNING f."id", f."assetRef", f."key", f."title", f."severity"::text AS "severity", (xmax = 0) AS "inserted",
                 (xmax <> 0 AND f."state" = 'new' AND f."stateAt" = $6 AND f."stateById" IS NULL) AS "reopened"
     )
     SELECT up."id", up."title", up."severity", y."label", up."inserted", up."reopened" FROM up JOIN y ON y."assetRef" = up."assetRef" AND y."key" = up."key" ORDER BY up."id"`,
    f.projectId,
    f.seenAt,
    f.runId,
    input,
    f.createdAt,
    now,
    f.tool,
    f.function,
    schema,
  );
  await tx.$executeRawUnsafe(
    `WITH ${RESOLVED}
     INSERT INTO "FindingEvidence" ("findingId", "runId", "coll", "job", "task", "path", "excerpt", "sha256", "seenAt")
     SELECT fd."id", $3, $5, $6, $7, y."path", y."excerpt", y."sha256", $2 FROM y JOIN "Finding" fd ON fd."projectId" = $1 AND fd."assetRef" = y."assetRef" AND fd."key" = y."key"
      ORDER BY fd."id"
     ON CONFLICT ("findingId", "runId", "coll", "task", "path") DO NOTHING`,
    f.projectId,
    f.seenAt,
    f.runId,
    input,
    ref.coll,
    ref.job,
    ref.task,
  );
  const created = rows.filter((r) => r.inserted);
  const reopened = rows.filter((r) => r.reopened);
  const changes = [
    ...created.map((r) => ({ id: String(r.id), from: null, note: `found by run #${f.number}` })),
    ...reopened.map((r) => ({ id: String(r.id), from: "fixed", note: `seen again by run #${f.number}, started after it was marked fixed` })),
  ];
  if (changes.length) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "FindingStateChange" ("findingId", "projectId", "fromState", "toState", "runId", "note", "at")
       SELECT x."id"::bigint, $1, x."from"::"FindingState", 'new', $2, x."note", $3 FROM jsonb_to_recordset($4::jsonb) AS x("id" text, "from" text, "note" text) ORDER BY 1`,
      f.projectId,
      f.runId,
      now,
      json(changes),
    );
  }
  return { created, reopened };
}

/**
 * Maps every indexed document of a run again, from the results index: what repairs a mapping that
 * failed (the database refused it) or one made before the index held the document. Idempotent.
 * Documents are read one at a time: a run's 16 MiB documents never sit in memory together.
 */
export async function rederiveRun(runId: string): Promise<{ documents: number }> {
  const facts = await runFacts(runId);
  if (!facts) return { documents: 0 };
  const declared = await versionMappings(facts.versionId);
  const rows = await db().$queryRawUnsafe<{ coll: string; job: number; task: number }[]>(
    `SELECT "coll", "job", "task" FROM "ResultDocument" WHERE "runId" = $1 ORDER BY "id"`,
    runId,
  );
  let documents = 0;
  for (const r of rows) {
    if (!maps(mappingsFor(r.coll, declared))) continue;
    const [doc] = await db().$queryRawUnsafe<{ doc: unknown }[]>(`SELECT "doc" FROM "ResultDocument" WHERE "coll" = $1 AND "job" = $2 AND "task" = $3`, r.coll, r.job, r.task);
    if (!doc) continue;
    await deriveDocument({ runId, coll: r.coll, job: r.job, task: r.task }, doc.doc);
    documents++;
  }
  return { documents };
}

/** The document as the results index holds it after a merge (top-level fields merged), for mapping. */
export async function indexedDocument(coll: string, job: number, task: number): Promise<unknown> {
  const [row] = await db().$queryRawUnsafe<{ doc: unknown }[]>(`SELECT "doc" FROM "ResultDocument" WHERE "coll" = $1 AND "job" = $2 AND "task" = $3`, coll, job, task);
  return row?.doc ?? null;
}

/** The mappings a run's documents are mapped with (its version's and its dependencies'); null for no such run. */
export async function runMappings(runId: string): Promise<DeclaredMappings | null> {
  const facts = await runFacts(runId);
  return facts ? versionMappings(facts.versionId) : null;
}

/** What mapping each of a run's documents gave (the run page shows problems beside the documents). */
export async function documentMappings(runId: string): Promise<{ coll: string; task: number; hosts: number; services: number; origins: number; findings: number; skipped: number; problems: string[] }[]> {
  const rows = await db().documentMapping.findMany({ where: { runId }, orderBy: [{ coll: "asc" }, { task: "asc" }], take: 1000 });
  return rows.map((r) => ({ coll: r.coll, task: r.task, hosts: r.hosts, services: r.services, origins: r.origins, findings: r.findings, skipped: r.skipped, problems: Array.isArray(r.problems) ? r.problems.filter((p): p is string => typeof p === "string") : [] }));
}
