import type Docker from "dockerode";
import type { BackupManifest, BackupPartName } from "./manifest.ts";

/** Where the hub being backed up or restored keeps its state. */
export interface HubLocation {
  dataDir: string;
  databaseUrl: string;
  mongoUri: string;
  docker: Docker;
}

/**
 * One part of an archive: what it dumps into its own folder and how it puts that back. A part
 * added later (file-parameter blobs, findings) is one more module listed in `parts/index.ts`.
 * Integrity is the archive's job (every file's sha256 is checked before any part restores);
 * a part checks its own counts after restoring.
 */
export interface BackupPart {
  name: BackupPartName;
  /** writes the part's files under `dir`; answers what it holds (rows, documents, files, images) */
  dump(hub: HubLocation, dir: string): Promise<Record<string, number>>;
  /** puts the part back from `dir` (verified); answers the same counts as dump did */
  restore(hub: HubLocation, dir: string, manifest: BackupManifest): Promise<Record<string, number>>;
}
