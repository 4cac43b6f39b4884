import { route } from "../../../../../lib/api/route.ts";
import { debugAvailability, openDebugSession } from "../../../../../lib/debug/sessions.ts";
import { debugRunParamsSchema, openDebugBodySchema } from "../../../../../lib/schemas/debug.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Opens a debug terminal into a running task of the caller's own run: 201 with the session; 404
 * for someone else's run, 403 for an admin who is not the owner, a run with a grant or a secret,
 * or debugging turned off, 409 when the task is not running or has its open sessions already.
 */
export const POST = route(
  { access: "user", scope: "run", summary: "open a debug terminal into a running task of one's own run", params: debugRunParamsSchema, body: openDebugBodySchema, status: 201 },
  ({ viewer, params, body }) => openDebugSession(viewer, params.id, body),
);

/** Whether the caller may debug this run's running tasks, and why not. */
export const GET = route({ access: "user", scope: "run", summary: "whether one may debug a run's tasks", params: debugRunParamsSchema }, ({ viewer, params }) =>
  debugAvailability(viewer, params.id),
);
