import type { ExtractLimits } from "../../runner/src/index.ts";

/** What an uploaded archive is unpacked under (the one extractor, runner/src/package/extract.ts). */
export const UPLOAD_LIMITS: ExtractLimits = {
  archiveBytes: 20 * 1024 * 1024,
  unpackedBytes: 100 * 1024 * 1024,
  files: 2000,
  entries: 10_000,
  depth: 32,
  pathLength: 400,
};
