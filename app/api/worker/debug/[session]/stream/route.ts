import { route } from "../../../../../../lib/api/route.ts";
import { admitInstanceRequest } from "../../../../../../lib/worker/admission.ts";
import { debugInputStream } from "../../../../../../lib/debug/worker-relay.ts";
import { debugSessionParamsSchema, debugStreamRequestSchema } from "../../../../../../lib/schemas/debug.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The worker's one long request per debug session (its instance in X-Levhub-Instance): NDJSON lines
 * of what the user types (runner/worker/protocol.ts DebugInput), keep-alives, then `end`. Only the
 * instance holding the session's run is served; any other reads it as missing.
 */
export const POST = route(
  { access: "worker", scope: null, admit: admitInstanceRequest, summary: "a debug session's input, streamed to the worker holding its run", params: debugSessionParamsSchema, body: debugStreamRequestSchema, produces: "application/x-ndjson" },
  async ({ admitted, params, body, req }) => {
    const abort = new AbortController();
    req.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const lines = debugInputStream(admitted.caller, admitted.worker, params.session, body.after, abort.signal);
    // the first line is read before answering: a refusal (404, 409, 429) is a plain error answer
    const first = await lines.next();
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          if (!first.done) controller.enqueue(encoder.encode(JSON.stringify(first.value) + "\n"));
          for await (const line of lines) controller.enqueue(encoder.encode(JSON.stringify(line) + "\n"));
        } catch (err) {
          console.error("[levhub] debug stream:", err instanceof Error ? err.message : err);
        } finally {
          try {
            controller.close();
          } catch {
            // the worker went away first
          }
        }
      },
      cancel() {
        abort.abort();
        void lines.return(undefined);
      },
    });
    return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" } });
  },
);
