import { z } from "zod";
import { RETENTION_DAYS, RETENTION_KINDS } from "../platform/retention-settings.ts";

/** A form's days field: blank keeps that kind for ever (null), else whole days within RETENTION_DAYS. */
const daysField = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? null : typeof v === "string" ? Number(v) : v),
  z
    .number({ message: "a whole number of days, or blank" })
    .int("a whole number of days, or blank")
    .min(RETENTION_DAYS.min, `at least ${RETENTION_DAYS.min} day`)
    .max(RETENTION_DAYS.max, `at most ${RETENTION_DAYS.max} days`)
    .nullable(),
);

/** Admin → Retention: the days each kind is kept. */
export const retentionFormSchema = z.strictObject(Object.fromEntries(RETENTION_KINDS.map((k) => [k, daysField])) as Record<(typeof RETENTION_KINDS)[number], typeof daysField>);
