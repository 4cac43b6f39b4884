/** Bounds of admin settings that request schemas check too (pure: no database here). */

/** Retention of records, in days: at least a week (an incident is noticed late), at most ten years. */
export const RETENTION_DAYS = { min: 7, max: 3650 } as const;
