import "server-only";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { getEngine } from "../platform/engine.ts";
import { validation } from "../errors.ts";
import { getSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";
import { buildImageResolver, checkDockerfile } from "./dockerfile.ts";
import { buildPackageImage, ImageBuildError, imageTag } from "./images.ts";
import { visiblePackageImages } from "./visible-images.ts";

/** An image built for an upload, under a tag of that upload alone until its version row is written. */
export interface UploadImage {
  /** the version's tag (`levpkg/ns.name:version`), given once the upload has won its version */
  ref: string;
  /** the upload's own tag: a concurrent upload of the same version never moves the winner's tag */
  buildTag: string;
  id: string;
  log: string;
}

/**
 * Checks the package's Dockerfile (every image it names must be a base image, an earlier stage or
 * a package image the publisher may see) and builds it within the hub's build limits. Every
 * refusal is a validation error; nothing is left behind.
 */
export async function buildUploadImage(
  publisher: Viewer | "system",
  root: string,
  full: string,
  namespace: string,
  name: string,
  version: string,
): Promise<UploadImage> {
  const settings = await getSettings();
  const resolver = buildImageResolver(settings.baseImages, await visiblePackageImages(publisher));
  const checked = checkDockerfile(readFileSync(path.join(root, "Dockerfile"), "utf8"), resolver);
  if (checked.problems.length) {
    throw validation(`the Dockerfile cannot be built: ${checked.problems[0]}`, undefined, checked.problems.map((p) => `Dockerfile: ${p}`));
  }
  const ref = imageTag(namespace, name, version);
  const buildTag = `${ref}-upload-${randomBytes(4).toString("hex")}`;
  try {
    const built = await buildPackageImage(getEngine(), root, checked.text, buildTag, { "zone.lev.package": full, "zone.lev.version": version }, {
      memoryBytes: settings.build.memoryBytes,
      timeoutMs: settings.build.timeoutMs,
      network: settings.buildNetwork,
    });
    return { ref, buildTag, id: built.imageId, log: built.log };
  } catch (err) {
    await untag(buildTag);
    if (err instanceof ImageBuildError) {
      throw validation(`the Dockerfile did not build: ${err.message}`, undefined, [err.message, err.log.split("\n").slice(-30).join("\n")]);
    }
    throw err;
  }
}

/** The upload won its version: the image gets the version's tag, the upload's own tag goes. */
export async function keepUploadImage(image: UploadImage): Promise<void> {
  const colon = image.ref.lastIndexOf(":");
  await getEngine().docker.getImage(image.id).tag({ repo: image.ref.slice(0, colon), tag: image.ref.slice(colon + 1) });
  await untag(image.buildTag);
}

/** The upload failed after building: only its own tag goes (an identical build may share the image id). */
export async function discardUploadImage(image: UploadImage): Promise<void> {
  await untag(image.buildTag);
}

async function untag(tag: string): Promise<void> {
  try {
    await getEngine().docker.getImage(tag).remove({ noprune: false });
  } catch {
    // already gone, or never built
  }
}
