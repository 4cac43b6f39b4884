import "server-only";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import Docker from "dockerode";
import { dataDir } from "../platform/config.ts";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import { versionClosure } from "../packages/dependency-load.ts";
import { openBlob } from "../files/blob-store.ts";
import { archiveStream, versionArchive } from "../packages/version-archive.ts";
import { DEFAULT_WORKFLOW_IMAGE, type RunPolicy } from "../../runner/src/index.ts";
import type { WorkerRow } from "../queue/workers.ts";
import { HELD_RUN_STATUSES } from "../../runner/src/status.ts";
import { getSettings } from "../platform/settings.ts";
import { pruneTarCache, useTar } from "./image-cache.ts";

const IMAGE_ID = /^(sha256:)?[0-9a-f]{64}$/;

/** Where the hub keeps `docker save` tars of images workers may load: `<data>/images/<hex>.tar`. */
export function imagesDir(): string {
  return path.join(dataDir(), "images");
}
export const imageTarPath = (id: string) => path.join(imagesDir(), `${id.replace(/^sha256:/, "")}.tar`);
/** The runs an admitted instance holds (lib/worker/admission.ts: the one its request named). */
async function heldRuns(worker: WorkerRow) {
  return db().run.findMany({
    where: { workerInstance: worker.instance, status: { in: [...HELD_RUN_STATUSES] } },
    select: { versionId: true, policy: true, version: { select: { dir: true } } },
  });
}

/** `GET /api/worker/packages/{sha256}`: the deterministic archive of a version (or a dependency of one) a run of this instance uses. */
export async function packageArchiveForWorker(worker: WorkerRow, sha256: string): Promise<Response> {
  for (const run of await heldRuns(worker)) {
    const dirs = [run.version.dir, ...(await versionClosure(run.versionId)).map((m) => m.dir)];
    for (const dir of dirs) {
      const archive = await versionArchive(dir);
      if (archive.sha256 === sha256) {
        return new Response(archiveStream(archive), { headers: { "content-type": "application/gzip", "content-length": String(archive.size) } });
      }
    }
  }
  throw notFound("package archive");
}

/**
 * `GET /api/worker/files/{sha256}` of an admitted instance: a file a run it holds was given (`levrt.File`), by
 * the sha256 its assignment named. 404 for any other content, whoever else's run it belongs to.
 */
export async function fileForWorker(worker: WorkerRow, sha256: string): Promise<Response> {
  const held = await db().runFile.findFirst({
    where: { file: { sha256 }, run: { workerInstance: worker.instance, status: { in: [...HELD_RUN_STATUSES] } } },
    select: { file: { select: { size: true } } },
  });
  if (!held) throw notFound("file");
  const blob = await openBlob(sha256, held.file.size);
  // its run holds it, but the store lost it (removed by hand, a disk replaced): the worker ends the run FileUnavailable
  if (!blob) throw notFound("file");
  return new Response(blob.stream, { headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) } });
}

const hexOf = (id: string) => id.replace(/^sha256:/, "");

/** The references and ids a run may use: its package images (refs), base images, alias targets, the workflow image. */
function imagesOf(policy: RunPolicy | null): string[] {
  const images = policy?.images;
  if (!images) return [DEFAULT_WORKFLOW_IMAGE];
  return [DEFAULT_WORKFLOW_IMAGE, ...Object.keys(images.refs), ...Object.values(images.refs), ...images.base, ...Object.values(images.aliases ?? {})];
}

const saving = new Map<string, Promise<string>>();

/**
 * `docker save` of the image `ref` from the hub's own engine, kept as `<data>/images/<hex>.tar`
 * (written once, atomically; concurrent requests share one save). Returns the file.
 */
async function savedImage(ref: string): Promise<string> {
  const docker = new Docker();
  const info = await docker.getImage(ref).inspect().catch(() => null);
  if (!info) throw notFound("image");
  const file = imageTarPath(hexOf(info.Id));
  if (existsSync(file)) return file;
  let p = saving.get(file);
  if (!p) {
    p = (async () => {
      mkdirSync(imagesDir(), { recursive: true });
      const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
      try {
        await pipeline(await docker.getImage(info.Id).get(), createWriteStream(tmp, { mode: 0o600 }));
        await rename(tmp, file);
        // a new tar: the least recently served ones go until the cache fits its cap again (this one is served next)
        const cap = (await getSettings()).workerImageCacheBytes;
        pruneTarCache(imagesDir(), Math.max(cap, statSync(file).size)).forEach((f) => console.log(`[levhub] image cache: removed ${path.basename(f)} (cap ${cap} bytes)`));
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
      return file;
    })().finally(() => saving.delete(file));
    saving.set(file, p);
  }
  return p;
}

/**
 * `GET /api/worker/images/{ref}`: the `docker save` tar of an image a held run may use (by the
 * reference its policy names, or the id it resolves to; the workflow image), saved from the hub's
 * engine on first request. 404 for anything else: a worker gets no image no run of it needs.
 */
export async function imageTarForWorker(worker: WorkerRow, image: string): Promise<Response> {
  const allowed = new Set<string>();
  for (const run of await heldRuns(worker)) for (const ref of imagesOf(run.policy as unknown as RunPolicy | null)) allowed.add(ref);
  const wanted = IMAGE_ID.test(image) ? `sha256:${hexOf(image)}` : image;
  if (!allowed.has(wanted) && !allowed.has(image)) throw notFound("image");
  const file = await savedImage(wanted);
  // busy (never pruned) from before it is opened until the stream closes, however it ends
  const done = useTar(file);
  try {
    const size = statSync(file).size;
    const stream = createReadStream(file);
    stream.once("close", done);
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
      headers: { "content-type": "application/x-tar", "content-length": String(size) },
    });
  } catch (err) {
    done();
    throw err;
  }
}
