import { route } from "../../../../../../lib/api/route.ts";
import { listComments, postComment } from "../../../../../../lib/comments/comments.ts";
import { commentListQuerySchema, commentWriteSchema } from "../../../../../../lib/schemas/comments.ts";
import { packageParamsSchema } from "../../../../../../lib/schemas/packages.ts";

/** A page of the package's comments, oldest first, with their Markdown rendered (`html`); 404 for a package the caller may not see. */
export const GET = route(
  { access: "public", scope: "read", summary: "the comments on a package, oldest first", params: packageParamsSchema, query: commentListQuerySchema },
  async ({ viewer, params, query }) => listComments(viewer, params.ns, params.name, query.page),
);

/** A new comment `{body}` (Markdown, at most 10,000 characters); rate-limited per user (429). */
export const POST = route(
  { access: "user", scope: "publish", summary: "comment on a package", params: packageParamsSchema, body: commentWriteSchema, status: 201 },
  async ({ viewer, params, body }) => postComment(viewer, { namespace: params.ns, name: params.name, body: body.body }),
);
