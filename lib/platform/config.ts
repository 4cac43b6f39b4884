import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** Where the hub keeps its state: PostgreSQL's data, package versions, the generated secret. */
export function dataDir(): string {
  return path.resolve(process.env.LEVHUB_DATA_DIR || path.join(homedir(), ".levhub", "data"));
}

export function packagesDir(): string {
  return path.join(dataDir(), "packages");
}

/** The files users gave runs (`levrt.File`), content-addressed: `<data>/blobs/sha256/ab/<hex>` (lib/files/blob-store.ts). */
export function blobsDir(): string {
  return path.join(dataDir(), "blobs");
}

/** Where multipart uploads are staged while they stream in (lib/api/multipart.ts): beside the blobs, so keeping one is a rename. */
export function uploadStagingDir(): string {
  return path.join(dataDir(), "uploads");
}

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it for the embedded PostgreSQL)");
  return url;
}

/** `MONGODB_URI`, or the embedded FerretDB (a unix socket: host-network tools cannot reach it). */
export { mongoUri } from "../../runner/src/config.ts";

/**
 * NEXTAUTH_SECRET, or one generated once and kept in the data directory so sessions survive
 * restarts.
 */
export function ensureAuthSecret(): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  const file = path.join(dataDir(), "nextauth-secret");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  const secret = readFileSync(file, "utf8").trim();
  process.env.NEXTAUTH_SECRET = secret;
  return secret;
}
