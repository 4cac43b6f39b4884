/**
 * The exports part of bench:hub: what streaming every document costs the Next server's memory,
 * "whatever the document sizes" (issue 22, point 4): the 1,000,000 small documents of the results
 * part as NDJSON and CSV (seeded here when that part does not run), then 400 documents of 1 MiB
 * each (400 MiB of NDJSON). Each figure is the growth of the server's RSS over the export, with
 * what its memory was made of at the largest RSS seen (its /metrics).
 */
import { randomBytes } from "node:crypto";
import { atMost, fmtMb, fmtMemory, type BenchContext, type Figure } from "./common.ts";
import { COLL, DOCUMENTS, personalProject, seedResults, seedRun, streamExport } from "./results.ts";

const BIG_COLL = "bench|big|pages";
const BIG_DOCUMENTS = Number(process.env.LEVHUB_BENCH_BIG_DOCS ?? 400);
const BIG_DOC_BYTES = 1024 * 1024;

/** BIG_DOCUMENTS documents of about 1 MiB each, of text that does not compress away in the row. */
async function seedBigDocuments(ctx: BenchContext, versionId: string, packageId: string): Promise<void> {
  const run = await seedRun(ctx, versionId, new Date());
  const project = await personalProject(ctx);
  const salt = randomBytes(4).toString("hex");
  await ctx.sql.query(
    `INSERT INTO "ResultDocument" ("coll", "runId", "projectId", "packageId", "versionId", "function", "job", "task", "storedAt", "bytes", "doc")
     SELECT $1, $2, $3, $4, $5, 'pages.fetch', $6, g, now(), $8, jsonb_build_object('i', g,
       'body', (SELECT string_agg(md5($7 || g || ':' || k), '') FROM generate_series(1, $8 / 32) k))
     FROM generate_series(1, $9::int) g`,
    [BIG_COLL, run.id, project, packageId, versionId, run.number, salt, BIG_DOC_BYTES, BIG_DOCUMENTS],
  );
  await ctx.sql.query(
    `INSERT INTO "ResultCollection" ("projectId", "coll", "documents", "bytes", "lastAt")
     SELECT "projectId", "coll", count(*), sum("bytes"), max("storedAt") FROM "ResultDocument" WHERE "coll" = $1 GROUP BY "projectId", "coll"
     ON CONFLICT ("projectId", "coll") DO UPDATE SET "documents" = EXCLUDED."documents", "bytes" = EXCLUDED."bytes", "lastAt" = EXCLUDED."lastAt"`,
    [BIG_COLL],
  );
}

/** `smallSeeded`: the results part ran and already measured the small documents' exports. */
export async function benchExports(ctx: BenchContext, smallSeeded: boolean): Promise<Figure[]> {
  const figures: Figure[] = [];
  let pkg: { packageId: string; versionId: string };
  if (smallSeeded) {
    const { rows } = await ctx.sql.query<{ packageId: string; versionId: string }>(`SELECT "packageId", "versionId" FROM "ResultDocument" WHERE "coll" = $1 LIMIT 1`, [COLL]);
    pkg = rows[0];
  } else {
    const t0 = performance.now();
    pkg = (await seedResults(ctx)).pkg;
    console.log(`[bench] exports: ${DOCUMENTS.toLocaleString("en")} documents in ${COLL} inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const c = encodeURIComponent(COLL);
    const nd = await streamExport(ctx, `/api/results/export?coll=${c}&format=ndjson`);
    const csv = await streamExport(ctx, `/api/results/export?coll=${c}&format=csv&fields=target,hosts.ports.port,hosts.ports.service`);
    figures.push(
      atMost(`export of ${nd.rows.toLocaleString("en")} documents as NDJSON (${fmtMb(nd.bytes / 1048576)} in ${(nd.ms / 1000).toFixed(1)} s), Next RSS growth from ${fmtMb(nd.baseMb)}`, nd.growthMb, 100, "MB"),
      { figure: "  … its memory at the largest RSS (its own /metrics)", target: "—", measured: fmtMemory(nd.atPeak), met: null },
      atMost(`export as CSV, 3 fields (${(csv.ms / 1000).toFixed(1)} s, ${csv.rows.toLocaleString("en")} lines), Next RSS growth`, csv.growthMb, 100, "MB"),
    );
    if (nd.rows !== DOCUMENTS) figures.push({ figure: `export row count (expected ${DOCUMENTS})`, target: String(DOCUMENTS), measured: String(nd.rows), met: false });
  }
  const t1 = performance.now();
  await seedBigDocuments(ctx, pkg.versionId, pkg.packageId);
  console.log(`[bench] exports: ${BIG_DOCUMENTS} documents of ${fmtMb(BIG_DOC_BYTES / 1048576)} inserted in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  const big = await streamExport(ctx, `/api/results/export?coll=${encodeURIComponent(BIG_COLL)}&format=ndjson`);
  figures.push(
    atMost(`export of ${big.rows} documents of 1 MiB as NDJSON (${fmtMb(big.bytes / 1048576)} in ${(big.ms / 1000).toFixed(1)} s), Next RSS growth from ${fmtMb(big.baseMb)}`, big.growthMb, 100, "MB"),
    { figure: "  … its memory at the largest RSS (its own /metrics)", target: "—", measured: fmtMemory(big.atPeak), met: null },
  );
  if (big.rows !== BIG_DOCUMENTS) figures.push({ figure: `big export row count (expected ${BIG_DOCUMENTS})`, target: String(BIG_DOCUMENTS), measured: String(big.rows), met: false });
  return figures;
}
