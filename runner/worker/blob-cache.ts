/**
 * The files runs on this worker were given (`levrt.File`), by sha256: `<dataDir>/blobs/sha256/ab/<hex>`
 * (runner/src/blobs.ts), fetched from the hub only for a run this instance holds. A download goes
 * to a temporary file, is cut off past the size the hub announced, its size and sha256 checked,
 * made read-only (0444: the tool container's unprivileged user reads it, nobody writes it) and
 * renamed into place. Several runs needing the same file at once download it once; a file is kept
 * while a run on this worker holds it and removed when the last one lets go (the hub keeps the
 * original), so a worker's disk holds only what its running runs use. A file that cannot be
 * fetched or verified is a `FileFetchError`: the run ends `FileUnavailable` without starting.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, rmSync } from "node:fs";
import { chmod, lstat, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { blobPath } from "../src/blobs.ts";
import type { HubClient } from "./hub-client.ts";
import { INSTANCE_HEADER, type AssignedRef } from "./protocol.ts";

type AssignedFile = Extract<AssignedRef, { kind: "file" }>;

export class FileFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FileFetchError";
  }
}

export class BlobCache {
  readonly root: string;
  private readonly inFlight = new Map<string, Promise<string>>();
  /** how many acquisitions of each file are not released yet */
  private readonly holders = new Map<string, number>();

  constructor(
    dataDir: string,
    private readonly hub: HubClient,
  ) {
    this.root = path.join(path.resolve(dataDir), "blobs");
  }

  /**
   * The local path of `file`, downloading it first (as `instance`, which holds a run given it) when
   * it is not here; held until `release(file.sha256)`. Rejects with a FileFetchError.
   */
  async acquire(file: AssignedFile, instance: string): Promise<string> {
    const dest = blobPath(this.root, file.sha256);
    this.holders.set(file.sha256, (this.holders.get(file.sha256) ?? 0) + 1);
    try {
      if (await this.present(dest, file.size)) return dest;
      let p = this.inFlight.get(file.sha256);
      if (!p) {
        p = this.fetch(file, dest, instance).finally(() => this.inFlight.delete(file.sha256));
        this.inFlight.set(file.sha256, p);
      }
      return await p;
    } catch (err) {
      this.release(file.sha256);
      throw err;
    }
  }

  /** One holder of the file is done; the last one's release removes it from this worker's disk. */
  release(sha256: string): void {
    const n = (this.holders.get(sha256) ?? 0) - 1;
    if (n > 0) return void this.holders.set(sha256, n);
    this.holders.delete(sha256);
    // synchronous: an acquire between the count reaching zero and the removal would find a file about to go
    if (!this.inFlight.has(sha256)) rmSync(blobPath(this.root, sha256), { force: true });
  }

  /** A complete copy is here: a regular file (never a link) of the announced size. */
  private async present(dest: string, size: number): Promise<boolean> {
    const st = await lstat(dest).catch(() => null);
    return !!st && st.isFile() && st.size === size;
  }

  private async fetch(file: AssignedFile, dest: string, instance: string): Promise<string> {
    const label = `file '${file.name}'`;
    const tmpDir = path.join(this.root, "tmp");
    await mkdir(tmpDir, { recursive: true, mode: 0o755 });
    const tmp = path.join(tmpDir, `.download-${randomBytes(6).toString("hex")}`);
    try {
      let res: Response;
      try {
        res = await this.hub.get(`/api/worker/files/${file.sha256}`, { retryForMs: 60_000, headers: { [INSTANCE_HEADER]: instance } });
      } catch (cause) {
        throw new FileFetchError(`${label} could not be fetched from the hub: ${(cause as Error).message}`, { cause });
      }
      if (!res.body) throw new FileFetchError(`${label}: the hub sent no content`);
      const hash = createHash("sha256");
      let bytes = 0;
      const counted = async function* (body: AsyncIterable<Uint8Array>) {
        for await (const chunk of body) {
          bytes += chunk.length;
          if (bytes > file.size) throw new FileFetchError(`${label}: the hub sent more than its ${file.size} bytes; refused`);
          hash.update(chunk);
          yield chunk;
        }
      };
      try {
        await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>), counted, createWriteStream(tmp, { mode: 0o600, flags: "wx" }));
      } catch (cause) {
        if (cause instanceof FileFetchError) throw cause;
        throw new FileFetchError(`${label}: downloading it broke off: ${(cause as Error).message}`, { cause });
      }
      if (bytes !== file.size) throw new FileFetchError(`${label}: the hub sent ${bytes} of its ${file.size} bytes; refused`);
      const got = hash.digest("hex");
      if (got !== file.sha256) throw new FileFetchError(`${label} does not match its sha256 (expected ${file.sha256}, got ${got}); refused`);
      await chmod(tmp, 0o444);
      await mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
      await rename(tmp, dest);
      return dest;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
