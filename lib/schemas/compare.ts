/** Requests comparing two runs (HTTP API and the compare page). */
import { z } from "zod";
import { runIdSchema } from "./runs.ts";

/**
 * `GET /api/runs/compare?a=<run>&b=<run>`, or `?b=<run>&previous=true` for the previous run of the
 * same function and arguments as B. A is "before", B "after".
 */
export const compareQuerySchema = z
  .object({
    a: runIdSchema.optional(),
    b: runIdSchema,
    previous: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
  })
  .refine((q) => Boolean(q.a) !== Boolean(q.previous), { message: "give run a, or previous=true, not both", path: ["a"] });
export type CompareQuery = z.infer<typeof compareQuerySchema>;
