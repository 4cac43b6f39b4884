import "server-only";
import { createHash } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tar from "tar-stream";
import { db } from "../platform/db.ts";
import { filesOfRun } from "../files/uploads.ts";
import { getResultStore } from "../results/results-store.ts";
import { loadRun } from "../runs/projection.ts";
import type { Viewer } from "../types.ts";
import { stableJson } from "./stable-json.ts";

/**
 * A run's evidence bundle, a tar.gz streamed as it is made: every document the run stored as
 * canonical JSON (`documents/…`), `manifest.json` (the run's record: package version, archive
 * sha256, image digest, arguments with files and secrets as references only, tasks and their
 * images, the files it was given; per document its collection, job, task, file and sha256), and
 * `SHA256SUMS` over all of them, last, so `sha256sum -c SHA256SUMS` verifies the bundle.
 */

export const EVIDENCE_FORMAT = "levhub-evidence/1";

export interface EvidenceDocument {
  file: string;
  coll: string;
  job: number;
  task: number;
  bytes: number;
  sha256: string;
}

/** A collection name as a file name: what is not a safe character becomes `_` (the index keeps it unique). */
const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 100);

export async function runEvidence(viewer: Viewer, ref: string): Promise<{ stream: Readable; fileName: string; run: { id: string; number: number; projectId: string } }> {
  const { row } = await loadRun(viewer, ref);
  const version = await db().packageVersion.findUniqueOrThrow({ where: { id: row.versionId }, select: { version: true, archiveSha256: true, imageDigest: true, imageRef: true } });
  const files = await filesOfRun(row.id);
  const colls = [...new Set([...row.collections, ...row.tasks.filter((t) => t.stored).map((t) => t.coll)])].sort();
  const record = {
    id: row.id,
    number: row.number,
    project: row.project.slug,
    package: `${row.version.package.namespace.name}.${row.version.package.name}`,
    version: version.version,
    archiveSha256: version.archiveSha256,
    image: version.imageRef,
    imageDigest: version.imageDigest,
    function: row.function,
    // arguments hold files and secrets as typed references ({"$lev": …, "id"}), never contents or values
    args: row.args,
    owner: row.owner.username,
    trigger: row.trigger,
    status: row.status,
    error: row.error,
    exitCode: row.exitCode,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    tasks: row.tasks.map((t) => ({ number: t.number, image: t.image, resolvedImage: t.resolvedImage, coll: t.coll, status: t.status, exitCode: t.exitCode, startedAt: t.startedAt.toISOString(), endedAt: t.endedAt?.toISOString() ?? null })),
    files,
  };

  const pack = tar.pack();
  const out = new PassThrough();
  const gzip = createGzip();
  const sums: string[] = [];
  const add = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      sums.push(`${createHash("sha256").update(body).digest("hex")}  ${name}`);
      pack.entry({ name, size: body.length, mode: 0o644, mtime: row.endedAt ?? row.createdAt }, body, (err) => (err ? reject(err) : resolve()));
    });

  const write = async () => {
    const documents: EvidenceDocument[] = [];
    const store = colls.length ? await getResultStore() : null;
    let index = 0;
    for (const coll of colls) {
      const docs = (await store?.findRun(coll, row.number)) ?? [];
      for (const doc of docs) {
        const id = doc._id as { task?: unknown } | undefined;
        const task = typeof id?.task === "number" ? id.task : 0;
        const body = Buffer.from(`${stableJson(doc)}\n`);
        const file = `documents/${String(++index).padStart(4, "0")}-${fileSafe(coll)}-task${task}.json`;
        await add(file, body);
        documents.push({ file, coll, job: row.number, task, bytes: body.length, sha256: sums[sums.length - 1].slice(0, 64) });
      }
    }
    const manifest = { format: EVIDENCE_FORMAT, generatedAt: new Date().toISOString(), generatedBy: viewer.username, run: record, documents };
    await add("manifest.json", Buffer.from(`${stableJson(manifest)}\n`));
    const sumsText = Buffer.from(`${sums.join("\n")}\n`);
    pack.entry({ name: "SHA256SUMS", size: sumsText.length, mode: 0o644, mtime: row.endedAt ?? row.createdAt }, sumsText);
    pack.finalize();
  };
  // a failure half way ends the download with an error, never a bundle that looks whole
  write().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  pipeline(pack, gzip, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return { stream: out, fileName: `levhub-run-${row.number}-evidence.tar.gz`, run: { id: row.id, number: row.number, projectId: row.projectId } };
}
