import { route } from "../../../../../lib/api/route.ts";
import { toAppError } from "../../../../../lib/errors.ts";
import { getRun, runEvents } from "../../../../../lib/runs.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Server-sent events: `data: <RunStreamEvent>` — a snapshot of the stored state, then live events
 * until the run ends (`end`). A comment line every 15 s keeps proxies from closing the stream.
 */
export const GET = route(
  { access: "user", summary: "a run's live events", params: runParamsSchema, produces: "text/event-stream" },
  async ({ viewer, params, req }) => {
    const { id } = params;
    await getRun(viewer, id); // 404 before the stream opens
    const abort = new AbortController();
    req.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const ping = setInterval(() => controller.enqueue(encoder.encode(": ping\n\n")), 15_000);
        try {
          for await (const ev of runEvents(viewer, id, abort.signal)) {
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(ev)}\n\n`));
          }
        } catch (err) {
          const { message } = toAppError(err);
          controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ message })}\n\n`));
        } finally {
          clearInterval(ping);
          try {
            controller.close();
          } catch {
            // the client went away first
          }
        }
      },
      cancel() {
        abort.abort();
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
    });
  },
);
