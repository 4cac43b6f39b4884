/** The files DTOs, inferred from what the API answers (lib/schemas/responses.ts). */
import type { z } from "zod";
import type { fileRefViewSchema, fileViewSchema } from "../schemas/responses.ts";

/** An upload: its reference id, name, size, content hash, uploader and project. */
export type FileView = z.infer<typeof fileViewSchema>;
/** A file as a run or scan that references it shows it. */
export type FileRefView = z.infer<typeof fileRefViewSchema>;
