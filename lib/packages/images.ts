import "server-only";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { createReadStream } from "node:fs";
import tar from "tar-stream";
import { defaultImageResolver, type ContainerEngine } from "../../runner/src/index.ts";

/**
 * Images built from packages' Dockerfiles, pinned by image id. Code names them `.<ns>.<name>:<tag>`;
 * the hub resolves such a name to the id built for the package version being run (see `pinImage`).
 */
const g = globalThis as typeof globalThis & { __levhubImages?: Map<string, string> };
const pinned = (): Map<string, string> => (g.__levhubImages ??= new Map());

/** `ns.name` → the image id that `.ns.name:<any tag>` resolves to from now on. */
export function pinImage(pkg: string, imageId: string): void {
  pinned().set(pkg.toLowerCase(), imageId);
}

/** The Runner's `resolveImage`: `.ns.name:tag` → the pinned id, else the runner's default naming. */
export function resolveImage(ref: string): string {
  if (ref.startsWith(".")) {
    const repo = ref.slice(1).split(":")[0].toLowerCase();
    const id = pinned().get(repo);
    if (id) return id;
  }
  return defaultImageResolver(ref);
}

/**
 * How one run of a package version resolves images: its own `.ns.name:tag` is the image built for
 * that very version (two versions may run side by side); other references as `resolveImage`.
 */
export function versionImageResolver(pkg: string, imageId: string | null): (ref: string) => string {
  return (ref) => {
    if (imageId && ref.startsWith(".") && ref.slice(1).split(":")[0].toLowerCase() === pkg.toLowerCase()) return imageId;
    return resolveImage(ref);
  };
}

export function imageTag(ns: string, name: string, version: string): string {
  return `levpkg/${ns}.${name}`.toLowerCase() + `:${version.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 128)}`;
}

/** The package directory as a tar stream: the build context. Only regular files and folders. */
export function buildContext(dir: string): Readable {
  const pack = tar.pack();
  void (async () => {
    const walk = async (rel: string) => {
      for (const name of readdirSync(path.join(dir, rel)).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const st = statSync(path.join(dir, r));
        if (st.isDirectory()) {
          pack.entry({ name: r, type: "directory", mode: 0o755 });
          await walk(r);
        } else if (st.isFile()) {
          await new Promise<void>((resolve, reject) => {
            const w = pack.entry({ name: r, size: st.size, mode: 0o644 }, (err) => (err ? reject(err) : resolve()));
            createReadStream(path.join(dir, r)).on("error", reject).pipe(w);
          });
        }
      }
    };
    await walk("");
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return Readable.from(pack);
}

const MAX_LOG = 256 * 1024;

/** Builds the package's Dockerfile; returns the image id and the whole build log (or throws with the log). */
export async function buildPackageImage(
  engine: ContainerEngine,
  dir: string,
  tag: string,
  labels: Record<string, string>,
): Promise<{ imageId: string; log: string }> {
  const lines: string[] = [];
  let size = 0;
  const onLog = (line: string) => {
    if (size > MAX_LOG) return;
    lines.push(line);
    size += line.length + 1;
    if (size > MAX_LOG) lines.push("… (build log truncated)");
  };
  try {
    const imageId = await engine.buildImage(buildContext(dir), tag, labels, onLog);
    return { imageId, log: lines.join("\n") };
  } catch (err) {
    throw new ImageBuildError(err instanceof Error ? err.message : String(err), lines.join("\n"));
  }
}

export class ImageBuildError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
    this.name = "ImageBuildError";
  }
}
