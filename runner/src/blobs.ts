/**
 * Where a content-addressed file (a blob: a file a user gave a run) is kept, one layout for every
 * store: the hub's (`<data>/blobs`), a worker's cache (`<worker data>/blobs`) and `lev exec`'s
 * (`$LEVHUB_HOME/blobs`). The name is the content's sha256, so a blob never changes once written.
 */
import path from "node:path";

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `<root>/sha256/<first two hex digits>/<the 64 hex digits>`; refuses anything but a sha256 in hex. */
export function blobPath(root: string, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`'${sha256}' is not a sha256 in hex`);
  return path.join(root, "sha256", sha256.slice(0, 2), sha256);
}
