/** Requests comparing two runs (HTTP API and the compare page). */
import { z } from "zod";
import { ignoreList, ignoreProblems } from "../compare/ignore.ts";
import { runIdSchema } from "./runs.ts";

/**
 * `hosts[].os,scanned_at`: the fields a comparison leaves out, replacing those the package
 * declares; empty: none. Paths like key paths (`hosts[].os` or `hosts.os`: every host's `os`).
 */
export const ignoreParamSchema = z
  .string()
  .max(4000)
  .transform(ignoreList)
  .superRefine((fields, ctx) => {
    for (const p of ignoreProblems(fields)) ctx.addIssue({ code: "custom", message: p });
  });

/**
 * `GET /api/runs/compare?a=<run>&b=<run>`, or `?b=<run>&previous=true` for the previous run of the
 * same function and arguments as B. A is "before", B "after". `ignore=` (see ignoreParamSchema).
 */
export const compareQuerySchema = z
  .object({
    a: runIdSchema.optional(),
    b: runIdSchema,
    previous: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
    ignore: ignoreParamSchema.optional(),
  })
  .refine((q) => Boolean(q.a) !== Boolean(q.previous), { message: "give run a, or previous=true, not both", path: ["a"] });
export type CompareQuery = z.infer<typeof compareQuerySchema>;
