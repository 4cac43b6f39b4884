import "server-only";
import { lstatSync, readFileSync } from "node:fs";
import path from "node:path";
import type Docker from "dockerode";
import { getEngine } from "../platform/engine.ts";
import { problem, validation } from "../errors.ts";
import { getSettings } from "../platform/settings.ts";
import type { Viewer } from "../types.ts";
import { buildImageResolver } from "./build-images.ts";
import { boundedProblems, checkDockerfile, checkTriggers, type BaseImageUse } from "./dockerfile.ts";
import { buildPackageImage, ImageBuildError, newImageTag } from "./images.ts";
import { visiblePackageImages } from "./visible-images.ts";

/** An image built for an upload, under a tag of this upload alone. */
export interface UploadImage {
  /** `levpkg/<ns>.<name>:<version>-<random>`: a concurrent upload of the same version has its own */
  ref: string;
  id: string;
  log: string;
}

/**
 * Checks the package's Dockerfile (dockerfile.ts: every image it names must be a base image, an
 * earlier stage or a package image the publisher may see, by id; nothing fetched) and builds the
 * checked Dockerfile, never the uploaded text, within the hub's build limits. Every refusal is a
 * validation error; nothing is left behind.
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
  const { docker } = getEngine();
  const resolver = buildImageResolver({ base: await presentImages(docker, settings.baseImages), packages: await visiblePackageImages(publisher) });
  const checked = checkDockerfile(readDockerfile(root), resolver);
  const problems = checked.problems.length ? checked.problems : await baseImageTriggerProblems(docker, checked.baseImages);
  if (problems.length) {
    throw validation(`the Dockerfile cannot be built: ${problems[0]}`, undefined, problems.map((p) => problem("dockerfile", "Dockerfile", p)));
  }
  const ref = newImageTag(namespace, name, version);
  try {
    const built = await buildPackageImage(getEngine(), root, checked.text, ref, { "zone.lev.package": full, "zone.lev.version": version }, {
      memoryBytes: settings.build.memoryBytes,
      timeoutMs: settings.build.timeoutMs,
      network: settings.buildNetwork,
    });
    return { ref, id: built.imageId, log: built.log };
  } catch (err) {
    await untag(ref);
    if (err instanceof ImageBuildError) {
      throw validation(`the Dockerfile did not build: ${err.message}`, undefined, [problem("build", "Dockerfile", err.message), problem("build", "build log", err.log.split("\n").slice(-30).join("\n"))]);
    }
    throw err;
  }
}

/** A deleted version's image: its own tag goes (the image itself once nothing else tags or builds on it). */
export async function removeVersionImage(imageRef: string): Promise<void> {
  await untag(imageRef);
}

/** The upload failed after building: only its own tag goes (an identical build may share the image id). */
export async function discardUploadImage(image: UploadImage): Promise<void> {
  await untag(image.ref);
}

/** The package's Dockerfile as bytes: a regular file (a link or a folder is refused, not followed). */
function readDockerfile(root: string): Buffer {
  const file = path.join(root, "Dockerfile");
  if (!lstatSync(file).isFile()) throw validation("the Dockerfile is not a regular file", undefined, [problem("dockerfile", "Dockerfile", "not a regular file")]);
  return readFileSync(file);
}

/** The admin's base images present on the engine, by the reference listed → image id. */
async function presentImages(docker: Docker, refs: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const ref of new Set(refs)) {
    const info = await docker.getImage(ref).inspect().catch(() => null);
    if (info) ids.set(ref, info.Id);
  }
  return ids;
}

/** The ONBUILD triggers of the images FROM builds on run inside this build: they pass the same rules. */
async function baseImageTriggerProblems(docker: Docker, bases: readonly BaseImageUse[]): Promise<string[]> {
  const problems: string[] = [];
  for (const base of bases) {
    const info = await docker.getImage(base.id).inspect().catch(() => null);
    if (!info) {
      problems.push(`line ${base.line}: FROM ${base.ref}: image '${base.ref}' is not available`);
      continue;
    }
    for (const p of checkTriggers(info.Config?.OnBuild ?? [])) problems.push(`line ${base.line}: FROM ${base.ref}: the image's ${p}`);
  }
  return boundedProblems(problems);
}

async function untag(tag: string): Promise<void> {
  try {
    await getEngine().docker.getImage(tag).remove({ noprune: false });
  } catch {
    // already gone, or never built
  }
}
