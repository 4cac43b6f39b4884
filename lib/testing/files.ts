/**
 * A file staged the way a streamed upload stages one (lib/api/multipart.ts), for tests that call
 * lib's upload functions directly instead of through a route.
 */
import { createHash, randomBytes } from "node:crypto";
import { openAsBlob } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { StagedFile } from "../api/multipart.ts";
import { ownDirectory } from "../api/staging.ts";
import { uploadStagingDir } from "../platform/config.ts";

export async function stageTestFile(name: string, content: string | Buffer): Promise<StagedFile> {
  const file = path.join(await ownDirectory(uploadStagingDir()), `part-${randomBytes(12).toString("hex")}`);
  await writeFile(file, content, { flag: "wx", mode: 0o600 });
  return new StagedFile(await openAsBlob(file), name, "application/octet-stream", file, createHash("sha256").update(content).digest("hex"));
}
