import { route } from "../../../../../lib/api/route.ts";
import { debugInput } from "../../../../../lib/debug/sessions.ts";
import { debugInputBodySchema, debugSessionParamsSchema } from "../../../../../lib/schemas/debug.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** What the caller typed into one of their debug sessions, a new terminal size, or continue; 429 while the shell has not taken earlier input. */
export const POST = route(
  { access: "user", scope: "run", summary: "type into a debug session of one's own", params: debugSessionParamsSchema, body: debugInputBodySchema, maxBodyBytes: 32 * 1024, status: 202 },
  ({ viewer, params, body }) => debugInput(viewer, params.session, body),
);
