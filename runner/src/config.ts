import { homedir } from "node:os";
import path from "node:path";

/** Where setup keeps binaries, FerretDB's data and socket, and logs. */
export function levhubHome(): string {
  return path.resolve(process.env.LEVHUB_HOME || path.join(homedir(), ".levhub"));
}

/**
 * The embedded FerretDB listens on this unix socket only, never on TCP: a `Cr(host=True)` tool
 * shares the host's network and could otherwise reach the results database on 127.0.0.1.
 */
export function ferretdbSocket(): string {
  return path.join(levhubHome(), "ferretdb", "ferretdb.sock");
}

/** `MONGODB_URI`, or the embedded FerretDB; with `db`, that database instead of the URI's own. */
export function mongoUri(db?: string): string {
  const configured = process.env.MONGODB_URI;
  if (!configured) return `mongodb://${encodeURIComponent(ferretdbSocket())}/${db ?? "levhub"}`;
  if (!db) return configured;
  // replace the path (database) and keep credentials, hosts and options
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(configured);
  if (!m) throw new Error("MONGODB_URI is not a mongodb:// connection string");
  return `${m[1]}/${db}${m[3] ?? ""}`;
}
