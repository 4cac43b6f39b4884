import "server-only";
import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { createReadStream } from "node:fs";
import tar from "tar-stream";
import type { ContainerEngine } from "../../runner/src/index.ts";

/**
 * A new tag for an upload's image: `levpkg/<ns>.<name>:<version>-<128 random bits>`. Nothing
 * resolves an image by this tag (builds and runs go by image id); it keeps the image from being
 * pruned as dangling and says whose it is. Random, so a stranger cannot name another package's
 * image, and two uploads of one version never share one.
 */
export function newImageTag(ns: string, name: string, version: string): string {
  const v = version.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 80);
  return `levpkg/${ns}.${name}`.toLowerCase() + `:${v}-${randomBytes(16).toString("hex")}`;
}

/**
 * The package directory as a tar stream: the build context. Only regular files and folders. The
 * top-level Dockerfile is `dockerfile` (the checked and rewritten one), not the file on disk.
 */
export function buildContext(dir: string, dockerfile: string): Readable {
  const pack = tar.pack();
  void (async () => {
    const walk = async (rel: string) => {
      for (const name of readdirSync(path.join(dir, rel)).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const st = statSync(path.join(dir, r));
        if (st.isDirectory()) {
          pack.entry({ name: r, type: "directory", mode: 0o755 });
          await walk(r);
        } else if (r === "Dockerfile") {
          pack.entry({ name: r, mode: 0o644 }, dockerfile);
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

export interface BuildLimits {
  memoryBytes: number;
  timeoutMs: number;
  network: "none" | "default";
}

/**
 * Builds the package's (checked) Dockerfile; returns the image id and the build log, or throws
 * ImageBuildError with the log. The build gets a memory cap, the hub's build network ("none" by
 * default) and a time limit after which the request is aborted and the engine stops the build.
 * Docker's build API offers no pids limit: `ulimits` nproc does not bind RUN steps (they run as
 * root, which RLIMIT_NPROC exempts) and a cgroup-parent would make the hub manage host cgroups;
 * the memory cap and the time limit bound a fork bomb instead.
 */
export async function buildPackageImage(
  engine: ContainerEngine,
  dir: string,
  dockerfile: string,
  tag: string,
  labels: Record<string, string>,
  limits: BuildLimits,
): Promise<{ imageId: string; log: string }> {
  const lines: string[] = [];
  let size = 0;
  const onLog = (line: string) => {
    if (size > MAX_LOG) return;
    lines.push(line);
    size += line.length + 1;
    if (size > MAX_LOG) lines.push("… (build log truncated)");
  };
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error("time limit")), limits.timeoutMs);
  try {
    const imageId = await engine.buildImage(buildContext(dir, dockerfile), tag, labels, onLog, {
      memoryBytes: limits.memoryBytes,
      networkMode: limits.network,
      signal: ac.signal,
    });
    return { imageId, log: lines.join("\n") };
  } catch (err) {
    if (ac.signal.aborted) {
      throw new ImageBuildError(`the build took longer than ${formatDuration(limits.timeoutMs)} and was stopped`, lines.join("\n"));
    }
    throw new ImageBuildError(engineMessage(err), lines.join("\n"));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The engine's own message, cut to its first line: what the uploader reads must never carry
 * content the engine fetched or echoed after it (a response body, a registry's page).
 */
function engineMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split("\n", 1)[0];
  return first.length > MAX_MESSAGE ? `${first.slice(0, MAX_MESSAGE)}…` : first;
}

const MAX_MESSAGE = 300;

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
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
