/**
 * Package versions on this worker's disk, by the sha256 of their deterministic archive:
 * `<dataDir>/packages/<sha256>/`. An archive is downloaded to a temporary file, its sha256
 * checked, and unpacked by the one safe extractor (runner/src/package/extract.ts: files and
 * folders only, no `..`, the fetched-package limits) beside the target, then renamed into place:
 * a directory there is always complete, and a wrong or hostile archive leaves nothing behind. Several runs needing the
 * same version at once download it once.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ArchiveError, extractArchive, FETCHED_PACKAGE_LIMITS, type ExtractLimits } from "../src/package/extract.ts";
import type { HubClient } from "./hub-client.ts";
import { INSTANCE_HEADER, type PackageRef } from "./protocol.ts";

export class PackageFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PackageFetchError";
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

export class PackageCache {
  readonly root: string;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    dataDir: string,
    private readonly hub: HubClient,
    private readonly limits: ExtractLimits = FETCHED_PACKAGE_LIMITS,
  ) {
    this.root = path.join(dataDir, "packages");
  }

  /**
   * The directory holding `ref`'s files, downloading them first (as `instance`, which holds a run
   * using them) when needed. A download may serve several runs: one of them giving up does not
   * stop it (a caller that stops waiting races this promise).
   */
  ensure(ref: PackageRef, instance: string): Promise<string> {
    const label = `${ref.namespace}/${ref.name}@${ref.version}`;
    if (!SHA256.test(ref.sha256)) return Promise.reject(new PackageFetchError(`${label}: '${ref.sha256}' is not a sha256`));
    const dir = path.join(this.root, ref.sha256);
    if (existsSync(dir)) return Promise.resolve(dir);
    let p = this.inFlight.get(ref.sha256);
    if (!p) {
      p = this.fetch(ref.sha256, label, dir, instance).finally(() => this.inFlight.delete(ref.sha256));
      this.inFlight.set(ref.sha256, p);
    }
    return p;
  }

  private async fetch(sha256: string, label: string, dir: string, instance: string): Promise<string> {
    await mkdir(this.root, { recursive: true, mode: 0o755 });
    const tmp = path.join(this.root, `.download-${randomBytes(6).toString("hex")}`);
    try {
      let res: Response;
      try {
        res = await this.hub.get(`/api/worker/packages/${sha256}`, { retryForMs: 60_000, headers: { [INSTANCE_HEADER]: instance } });
      } catch (cause) {
        throw new PackageFetchError(`${label}: the package files could not be fetched from the hub: ${(cause as Error).message}`, { cause });
      }
      const hash = createHash("sha256");
      let bytes = 0;
      const max = this.limits.archiveBytes;
      const counted = async function* (body: AsyncIterable<Uint8Array>) {
        for await (const chunk of body) {
          bytes += chunk.length;
          if (bytes > max) throw new PackageFetchError(`${label}: the package archive is over ${max} bytes`);
          hash.update(chunk);
          yield chunk;
        }
      };
      if (!res.body) throw new PackageFetchError(`${label}: the hub sent no package archive`);
      try {
        await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>), counted, createWriteStream(tmp, { mode: 0o600 }));
      } catch (cause) {
        if (cause instanceof PackageFetchError) throw cause;
        throw new PackageFetchError(`${label}: downloading the package files broke off: ${(cause as Error).message}`, { cause });
      }
      const got = hash.digest("hex");
      if (got !== sha256) throw new PackageFetchError(`${label}: the package archive does not match its sha256 (expected ${sha256}, got ${got}); refused`);
      try {
        await extractArchive("tar.gz", await readFile(tmp), dir, this.limits);
      } catch (cause) {
        if (cause instanceof ArchiveError) throw new PackageFetchError(`${label}: the package archive is refused: ${cause.message}`, { cause });
        throw cause;
      }
      return dir;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
