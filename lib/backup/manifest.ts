import { z } from "zod";

/** Bumped when an archive's layout changes in a way an older restore could not read. */
export const BACKUP_FORMAT_VERSION = 1;

/** The parts of an archive, in the order restore applies them (one module each under parts/). */
export const BACKUP_PARTS = ["postgres", "files", "results-store", "images"] as const;
export type BackupPartName = (typeof BACKUP_PARTS)[number];

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const manifestEntrySchema = z.object({
  /** the entry's path inside the archive, `<part>/<relative path>` */
  path: z.string().min(1).max(4096),
  size: z.number().int().nonnegative(),
  sha256,
});

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT_VERSION),
  levhub: z.object({ version: z.string(), commit: z.string().nullable() }),
  createdAt: z.string(),
  /** where the backed-up hub kept its data: stored paths under it are moved to the restoring hub's */
  dataDir: z.string(),
  parts: z.array(
    z.object({
      name: z.enum(BACKUP_PARTS),
      /** what the part holds, counted when it was dumped (tables' rows, collections' documents, files, images) */
      counts: z.record(z.string(), z.number().int().nonnegative()),
    }),
  ),
  entries: z.array(manifestEntrySchema),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
