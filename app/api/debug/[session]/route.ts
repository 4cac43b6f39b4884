import { route } from "../../../../lib/api/route.ts";
import { closeDebugSession, debugSession } from "../../../../lib/debug/sessions.ts";
import { debugSessionParamsSchema } from "../../../../lib/schemas/debug.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One of the caller's debug sessions (anyone else's is 404). */
export const GET = route({ access: "user", scope: "run", summary: "a debug session of one's own", params: debugSessionParamsSchema }, ({ viewer, params }) => debugSession(viewer, params.session));

/** Closes one of the caller's debug sessions: its shell is hung up; closing an ended one changes nothing. */
export const DELETE = route({ access: "user", scope: "run", summary: "close a debug session of one's own", params: debugSessionParamsSchema }, ({ viewer, params }) =>
  closeDebugSession(viewer, params.session),
);
