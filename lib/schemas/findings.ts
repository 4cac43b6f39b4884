/**
 * Requests about a project's assets and findings (HTTP API, pages, server actions): list filters,
 * keyset cursors, triage. Pages parse their search params with the same schemas.
 */
import { z } from "zod";
import { blankAsAbsent } from "../api/doc-registry.ts";
import { FINDING_SEVERITIES, FINDING_STATES, type FindingSeverity, type FindingState } from "./finding-vocabulary.ts";
import { projectSlugSchema } from "./projects.ts";

export const ASSET_PAGE = { default: 50, max: 200 } as const;
/** findings one triage changes at most */
export const TRIAGE_MAX = 500;
export const NOTE_MAX = 2000;

const optional = blankAsAbsent;
const limit = optional(z.coerce.number().int().min(1).max(ASSET_PAGE.max));
const oneLineSearch = z
  .string()
  .trim()
  .max(200, "at most 200 characters")
  .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20), "one line of text");

/** `?after=`: the `next` of the previous page, as it came */
const cursor = optional(z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, "the 'next' value of the previous page"));

/** A comma-separated list of one closed set (`high,critical`); `open` among states means new and confirmed. */
function listOf<T extends string>(values: readonly T[], what: string, aliases: Record<string, readonly T[]> = {}) {
  return z
    .string()
    .max(200)
    .transform((s, ctx) => {
      const out = new Set<T>();
      for (const word of s.split(",").map((w) => w.trim().toLowerCase()).filter(Boolean)) {
        if (Object.hasOwn(aliases, word)) aliases[word].forEach((v) => out.add(v));
        else if ((values as readonly string[]).includes(word)) out.add(word as T);
        else {
          ctx.addIssue({ code: "custom", message: `${what} is one of ${[...values, ...Object.keys(aliases)].join(", ")}, not '${word}'` });
          return z.NEVER;
        }
      }
      return [...out];
    });
}

export const severityListSchema = listOf<FindingSeverity>(FINDING_SEVERITIES, "a severity");
export const stateListSchema = listOf<FindingState>(FINDING_STATES, "a state", { open: ["new", "confirmed"] });

export const assetParamsSchema = z.object({ slug: projectSlugSchema });
/** `…/assets/hosts/{address}`: an IP address as the hosts list shows it */
export const hostParamsSchema = z.object({ slug: projectSlugSchema, address: z.string().trim().min(2).max(45).regex(/^[0-9a-fA-F.:]+$/, "an IP address (10.0.0.1, 2001:db8::1)") });
export const findingParamsSchema = z.object({ slug: projectSlugSchema, id: z.string().regex(/^\d{1,18}$/, "a finding's number") });

/** `GET /api/projects/{slug}/assets/hosts?q=&port=&after=&limit=` */
export const hostsQuerySchema = z.object({
  /** an address or a network (10.0.0.0/24), or text in a host name, a service name, product or version */
  q: optional(oneLineSearch),
  /** hosts with this port among their services */
  port: optional(z.coerce.number().int().min(0).max(65535)),
  after: cursor,
  limit,
});
export type HostsQuery = z.output<typeof hostsQuerySchema>;

/** `GET /api/projects/{slug}/assets/services?q=&port=&after=&limit=` */
export const servicesQuerySchema = hostsQuerySchema;
export type ServicesQuery = HostsQuery;

/** `GET /api/projects/{slug}/findings?severity=&state=&tool=&after=&limit=` */
export const findingsQuerySchema = z.object({
  severity: optional(severityListSchema),
  /** states, or `open` (new and confirmed) */
  state: optional(stateListSchema),
  /** the package that found them (`ns.name`) */
  tool: optional(z.string().trim().max(200)),
  after: cursor,
  limit,
});
export type FindingsQuery = z.output<typeof findingsQuerySchema>;

/** `PATCH /api/projects/{slug}/findings`: one state (and a note) for several findings at once */
export const triageBodySchema = z.object({
  ids: z
    .array(z.string().regex(/^\d{1,18}$/, "a finding's number"))
    .min(1, "choose at least one finding")
    .max(TRIAGE_MAX, `at most ${TRIAGE_MAX} findings at once`)
    .transform((ids) => [...new Set(ids)]),
  state: z.enum(FINDING_STATES, { error: `a state is one of ${FINDING_STATES.join(", ")}` }),
  note: z.string().trim().max(NOTE_MAX, `at most ${NOTE_MAX} characters`).default(""),
});
export type TriageBody = z.output<typeof triageBodySchema>;
