import "server-only";
import { toAppError } from "../errors.ts";

/**
 * A server-sent event stream of what `events` yields: `id: <idOf(event)>` and `data: <JSON>` per
 * event, a comment line every 15 s (proxies close silent streams), `event: error` with the message
 * if the generator fails, and the generator stopped (its `signal` aborted) when the client goes away.
 */
export function sseResponse<E>(req: Request, events: (signal: AbortSignal) => AsyncGenerator<E>, idOf: (event: E) => string): Response {
  const abort = new AbortController();
  req.signal.addEventListener("abort", () => abort.abort(), { once: true });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const ping = setInterval(() => controller.enqueue(encoder.encode(": ping\n\n")), 15_000);
      try {
        for await (const ev of events(abort.signal)) controller.enqueue(encoder.encode(`id: ${idOf(ev)}\ndata: ${JSON.stringify(ev)}\n\n`));
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
}
