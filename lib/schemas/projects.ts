/** Requests about projects, their members and invites (HTTP API, server actions, the CLI's shapes). */
import { z } from "zod";
import { emailSchema } from "./email.ts";
import { scopeSchema } from "../../runner/src/scope/rules.ts";

/**
 * A project's URL name. Team projects choose theirs; a personal project's is its owner's user name
 * (`[a-z][a-z0-9_]{1,31}`), which this pattern includes. No slug is ever a user's name but their own.
 */
export const PROJECT_SLUG = /^[a-z][a-z0-9_-]{1,47}$/;
export const projectSlugSchema = z.string().trim().toLowerCase().regex(PROJECT_SLUG, "2–48 characters: lower-case letters, digits, - and _, starting with a letter");
export const projectParamsSchema = z.object({ slug: projectSlugSchema });
export const memberParamsSchema = z.object({ slug: projectSlugSchema, username: z.string().trim().toLowerCase().min(1).max(32) });

export const PROJECT_ROLE_VALUES = ["owner", "operator", "viewer"] as const;
export const projectRoleSchema = z.enum(PROJECT_ROLE_VALUES, { error: "a role is owner, operator or viewer" });

const oneLine = (max: number, what: string) =>
  z
    .string()
    // a pattern rather than a refinement, on the text as sent (before trimming): the OpenAPI document says it too
    // eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${what}: one line of printable text`)
    .trim()
    .max(max, `at most ${max} characters`);
const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

/** An instant with its offset (`2026-12-01T09:00:00Z`, `…+02:00`); stored as UTC. null clears that end. */
const instant = z.iso.datetime({ offset: true, error: "an ISO date-time with its offset (2026-12-01T09:00:00Z)" }).transform((v) => new Date(v));
const windowEnd = instant.nullable();

// zod runs an object's refinements even when a field failed: a field may still hold its raw text here
const windowRefine = <T extends { windowStart?: unknown; windowEnd?: unknown }>(v: T) =>
  !(v.windowStart instanceof Date) || !(v.windowEnd instanceof Date) || v.windowStart.getTime() < v.windowEnd.getTime();
const windowIssue = { message: "the window must end after it starts", path: ["windowEnd"] };

/** `POST /api/projects` */
export const createProjectBodySchema = z
  .strictObject({
    slug: projectSlugSchema,
    name: oneLine(100, "name").regex(/\S/, "a name is required"),
    description: text(2000).default(""),
    client: oneLine(200, "client").default(""),
    windowStart: windowEnd.optional(),
    windowEnd: windowEnd.optional(),
  })
  .refine(windowRefine, windowIssue);
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

/** `PATCH /api/projects/{slug}`: only the fields given change; a window end set to null opens that side */
export const updateProjectBodySchema = z
  .strictObject({
    name: oneLine(100, "name").regex(/\S/, "a name is required"),
    description: text(2000),
    client: oneLine(200, "client"),
    windowStart: windowEnd,
    windowEnd: windowEnd,
    /** whether the project's secrets may be sent to users' devices (only ever over https) */
    secretsOnDevices: z.boolean(),
  })
  .partial()
  .refine(windowRefine, windowIssue);
export type UpdateProjectBody = z.infer<typeof updateProjectBodySchema>;

/** `POST /api/projects/{slug}/members` */
export const addMemberBodySchema = z.strictObject({ username: z.string().trim().toLowerCase().min(1).max(32), role: projectRoleSchema });
/** `PATCH /api/projects/{slug}/members/{username}` */
export const setMemberRoleBodySchema = z.strictObject({ role: projectRoleSchema });

export const PROJECT_INVITE_DAYS = { default: 7, max: 30 } as const;
/** `POST /api/projects/{slug}/invites` */
export const createProjectInviteBodySchema = z.strictObject({
  email: emailSchema("enter a valid e-mail address"),
  role: projectRoleSchema,
  days: z.coerce.number().int().min(1).max(PROJECT_INVITE_DAYS.max).default(PROJECT_INVITE_DAYS.default),
});
export type CreateProjectInviteBody = z.infer<typeof createProjectInviteBodySchema>;

/** `GET /api/projects?all=` (admins: every project unless all=false) */
export const listProjectsQuerySchema = z.object({
  all: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

/**
 * `PUT /api/projects/{slug}/scope`: the whole scope and its two flags (absent flags: off). A scope
 * that names nothing, or null, makes the project unscoped. Each entry is checked and normalised by
 * runner/src/scope/rules.ts; a bad one is a field error at its place (`scope.allow.2`).
 */
export const projectScopeBodySchema = z.strictObject({
  scope: scopeSchema.nullable(),
  requireEnforcement: z.boolean().default(false),
  allowHostNetwork: z.boolean().default(false),
});
export type ProjectScopeBody = z.infer<typeof projectScopeBodySchema>;
