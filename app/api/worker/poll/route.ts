import { route } from "../../../../lib/api/route.ts";
import { poll } from "../../../../lib/worker/claim.ts";
import { pollRequestSchema } from "../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({ access: "worker", scope: null, summary: "long poll: runs for the worker's free slots, cancels of runs it holds", body: pollRequestSchema }, ({ worker, body, req }) =>
  poll(worker, body, req.signal),
);
