/** Requests about comments on packages (HTTP API and the package page's forms). */
import { z } from "zod";

/** The bounds comments share: the body's length, a page of the thread, a moderator's reason. */
export const COMMENT_LIMITS = { bodyChars: 10_000, pageSize: 25, reasonChars: 500 } as const;

/**
 * Text a person typed, as the hub stores it: no NUL and no lone UTF-16 surrogate (PostgreSQL's text
 * cannot hold the first, and the second is no character at all); line ends as `\n`.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const typedText = (max: number, what: string, required?: string) =>
  z
    .string()
    // a pattern rather than a refinement: the OpenAPI document says it too
    .regex(required ? /\S/ : /.*/s, required)
    .max(max, `at most ${max.toLocaleString("en")} characters`)
    .refine((s) => !s.includes("\u0000"), `the ${what} holds a NUL character`)
    .refine((s) => !LONE_SURROGATE.test(s), `the ${what} holds a lone UTF-16 surrogate (not a character)`)
    .transform((s) => s.replace(/\r\n?/g, "\n"));

export const commentBodySchema = typedText(COMMENT_LIMITS.bodyChars, "comment", "write something first");

/** `POST /api/packages/{ns}/{name}/comments` and `PATCH /api/comments/{id}` */
export const commentWriteSchema = z.object({ body: commentBodySchema }).strict();

export const commentIdSchema = z.string().min(1).max(64);
export const commentParamsSchema = z.object({ id: commentIdSchema });

/** `GET /api/packages/{ns}/{name}/comments?page=` (oldest first) */
export const commentListQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(100_000).optional() });

/** What a moderator does to a comment: hide it (its author and admins still see it), show it again, or delete it. */
export const MODERATION_ACTIONS = ["hide", "unhide", "delete"] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/** `POST /api/comments/{id}/moderation` */
export const moderationSchema = z
  .object({ action: z.enum(MODERATION_ACTIONS), reason: typedText(COMMENT_LIMITS.reasonChars, "reason").optional() })
  .strict();

/** The package page's forms: the package, then what the form sends. */
export const postCommentInputSchema = z.object({ namespace: z.string().min(1).max(64), name: z.string().min(1).max(64), body: commentBodySchema });
export const editCommentInputSchema = z.object({ id: commentIdSchema, body: commentBodySchema });
export const deleteCommentInputSchema = z.object({ id: commentIdSchema });
export const moderateCommentInputSchema = z.object({ id: commentIdSchema, action: z.enum(MODERATION_ACTIONS), reason: typedText(COMMENT_LIMITS.reasonChars, "reason").optional() });
