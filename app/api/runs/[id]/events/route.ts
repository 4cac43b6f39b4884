import { route } from "../../../../../lib/api/route.ts";
import { toAppError } from "../../../../../lib/errors.ts";
import { getRun, runEvents } from "../../../../../lib/runs/index.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Server-sent events: `data: <RunStreamEvent>` — a snapshot of the stored state, then changes read
 * from the database until the run ends (`end`). Each event's `id:` is the last log seq sent, so a
 * reconnecting EventSource (`Last-Event-ID`) resumes after it: no line lost, none twice. A comment
 * line every 15 s keeps proxies from closing the stream.
 */
export const GET = route(
  { access: "user", scope: "read", summary: "a run's live events", params: runParamsSchema, produces: "text/event-stream" },
  async ({ viewer, params, req }) => {
    const { id } = params;
    await getRun(viewer, id); // 404 before the stream opens
    const lastId = Number(req.headers.get("last-event-id") ?? "");
    const resume = Number.isSafeInteger(lastId) && lastId >= 0 && req.headers.has("last-event-id") ? { afterSeq: lastId } : undefined;
    const abort = new AbortController();
    req.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const ping = setInterval(() => controller.enqueue(encoder.encode(": ping\n\n")), 15_000);
        try {
          let seq = resume?.afterSeq ?? 0;
          for await (const ev of runEvents(viewer, id, abort.signal, resume)) {
            if (ev.type === "log") seq = ev.log.seq;
            else if (ev.type === "snapshot") seq = ev.run.logs.at(-1)?.seq ?? 0;
            controller.enqueue(encoder.encode(`id: ${seq}\ndata: ${JSON.stringify(ev)}\n\n`));
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
