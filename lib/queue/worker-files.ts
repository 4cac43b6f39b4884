import "server-only";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { z } from "zod";
import type { WorkerCaller } from "../access.ts";
import { dataDir } from "../config.ts";
import { db } from "../db.ts";
import { notFound } from "../errors.ts";
import { versionClosure } from "../packages/dependency-load.ts";
import { archiveStream, versionArchive } from "../packages/version-archive.ts";
import type { RunPolicy } from "../../runner/src/index.ts";
import { liveInstance } from "./workers.ts";

/** An image id (`sha256:<hex>`) or a reference as a run's policy names it (`levhub/python:bookworm`). */
export const imageIdSchema = z.string().min(1).max(256).regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, "an image id or reference");
const IMAGE_ID = /^(sha256:)?[0-9a-f]{64}$/;

/** Where the hub keeps `docker save` tars of images workers may load: `<data>/images/<hex>.tar`. */
export function imagesDir(): string {
  return path.join(dataDir(), "images");
}
export const imageTarPath = (id: string) => path.join(imagesDir(), `${id.replace(/^sha256:/, "")}.tar`);
/** `{reference: id}` of the admin's base images and the runtime's workflow image, written beside the tars by `npm start` */
export const SHARED_IMAGES = "shared-images.json";

/**
 * The runs the caller's instance holds (the `X-Levhub-Instance` header), or without the header
 * those of every live instance of its credential.
 */
async function heldRuns(caller: WorkerCaller, instance: string) {
  const instances = instance
    ? [(await liveInstance(caller, instance)).instance]
    : (await db().worker.findMany({ where: { credentialId: caller.credentialId, state: { in: ["online", "draining"] } }, select: { instance: true } })).map((w) => w.instance);
  return db().run.findMany({
    where: { workerInstance: { in: instances }, status: { in: ["starting", "running"] } },
    select: { versionId: true, policy: true, version: { select: { dir: true } } },
  });
}

/** `GET /api/worker/packages/{sha256}`: the deterministic archive of a version (or a dependency of one) a run of this instance uses. */
export async function packageArchiveForWorker(caller: WorkerCaller, instance: string, sha256: string): Promise<Response> {
  for (const run of await heldRuns(caller, instance)) {
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

function sharedImages(): Map<string, string> {
  try {
    const map = JSON.parse(readFileSync(path.join(imagesDir(), SHARED_IMAGES), "utf8")) as unknown;
    if (!map || typeof map !== "object") return new Map();
    return new Map(Object.entries(map).filter((e): e is [string, string] => typeof e[1] === "string" && IMAGE_ID.test(e[1])));
  } catch {
    return new Map();
  }
}

const hexOf = (id: string) => id.replace(/^sha256:/, "");

/**
 * `GET /api/worker/images/{imageId}`: the saved tar of an image a held run's policy names (the
 * image ids its references resolve to), or of a base / workflow image; 404 for anything else,
 * and for an image the hub has no tar of.
 */
export async function imageTarForWorker(caller: WorkerCaller, instance: string, image: string): Promise<Response> {
  // reference or id → the id whose tar the hub keeps; only what a held run may use, or a shared image
  const known = sharedImages();
  for (const run of await heldRuns(caller, instance)) {
    const refs = (run.policy as unknown as RunPolicy | null)?.images?.refs ?? {};
    for (const [ref, id] of Object.entries(refs)) {
      if (!IMAGE_ID.test(id)) continue;
      known.set(ref, id);
      known.set(id, id);
    }
  }
  for (const id of [...known.values()]) known.set(id, id);
  const id = known.get(image) ?? (IMAGE_ID.test(image) ? known.get(`sha256:${hexOf(image)}`) : undefined);
  const file = id ? imageTarPath(hexOf(id)) : null;
  if (!file || !existsSync(file)) throw notFound("image");
  const size = statSync(file).size;
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, {
    headers: { "content-type": "application/x-tar", "content-length": String(size) },
  });
}
