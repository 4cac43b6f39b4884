import type { BackupPart } from "../part.ts";
import { BACKUP_PARTS } from "../manifest.ts";
import { filesPart } from "./files.ts";
import { imagesPart } from "./images.ts";
import { postgresPart } from "./postgres.ts";
import { resultsStorePart } from "./results-store.ts";

/** Every part, in BACKUP_PARTS order (restore applies them so: the database first). */
export const PARTS: BackupPart[] = [postgresPart, filesPart, resultsStorePart, imagesPart];
if (PARTS.map((p) => p.name).join() !== BACKUP_PARTS.join()) throw new Error("lib/backup/parts/index.ts lists the parts out of BACKUP_PARTS order");
