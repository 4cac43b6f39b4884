/**
 * What a secret may be, for the hub (project secrets) and the runner (`RunSpec.refs`) alike. Pure.
 *
 * A name is what the workflow, forms and masks show (`••••(secret NAME)`): letters, digits, `_`
 * and `-`, so a mask inside a stored document's key never makes the key unstorable (no `.`, `$`).
 * A value is at least 8 characters: masking a shorter one would blank out ordinary output, and
 * at most 16 KiB (a cloud service account's JSON key fits).
 */
import { z } from "zod";

export const SECRET_LIMITS = {
  nameChars: 64,
  valueMinChars: 8,
  valueChars: 16 * 1024,
  descriptionChars: 500,
} as const;

export const SECRET_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const secretNameSchema = z
  .string()
  .regex(SECRET_NAME_PATTERN, "a secret's name starts with a letter and has up to 64 letters, digits, '_' or '-'");
