import { route } from "../../../../../lib/api/route.ts";
import { debugEvents, debugSession } from "../../../../../lib/debug/sessions.ts";
import { sseResponse } from "../../../../../lib/api/sse.ts";
import { debugSessionParamsSchema } from "../../../../../lib/schemas/debug.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Server-sent events of one of the caller's debug sessions (lib/debug/types.ts DebugStreamEvent):
 * its state, its output as text, then `end`. Each event's `id:` is the last output seq sent, so a
 * reconnecting EventSource (`Last-Event-ID`) resumes after it.
 */
export const GET = route(
  { access: "user", scope: "run", summary: "a debug session's output and state", params: debugSessionParamsSchema, produces: "text/event-stream" },
  async ({ viewer, params, req }) => {
    await debugSession(viewer, params.session); // 404 before the stream opens
    const lastId = Number(req.headers.get("last-event-id") ?? "");
    const after = req.headers.has("last-event-id") && Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : undefined;
    let seq = after ?? 0;
    return sseResponse(req, (signal) => debugEvents(viewer, params.session, signal, after), (ev) => {
      if (ev.type === "output") seq = ev.seq;
      return String(seq);
    });
  },
);
