import { z } from "zod";

/**
 * What retention deletes, each kind after its own number of days (null: kept for ever):
 * - runs: finished runs with their tasks, logs, documents (results store and index together);
 * - logs: finished runs' log lines only (the run and its documents stay);
 * - documents: finished runs' result documents, results store and index together (the run stays);
 * - imageTars: `docker save` tars of the worker image cache, by when they were last served;
 * - deletedVersions: rows of package versions their publisher deleted, once no run or version uses them;
 * - audit: audit events.
 */
export const RETENTION_KINDS = ["runs", "logs", "documents", "imageTars", "deletedVersions", "audit"] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** At most ten years; at least one day (a run's documents are read the day it ends). */
export const RETENTION_DAYS = { min: 1, max: 3650 } as const;

const days = z.number().int().min(RETENTION_DAYS.min).max(RETENTION_DAYS.max).nullable().default(null);
export const retentionSettingsSchema = z
  .object({ runs: days, logs: days, documents: days, imageTars: days, deletedVersions: days, audit: days })
  .default({ runs: null, logs: null, documents: null, imageTars: null, deletedVersions: null, audit: null });
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

