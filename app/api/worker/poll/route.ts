import { route } from "../../../../lib/api/route.ts";
import { poll } from "../../../../lib/worker/claim.ts";
import { pollRequestSchema } from "../../../../lib/schemas/worker.ts";
import { admitPoll } from "../../../../lib/worker/admission.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(
  { access: "worker", scope: null, admit: admitPoll, summary: "long poll: runs for the worker's free slots, cancels of runs it holds", body: pollRequestSchema },
  ({ worker, admitted, body, req }) => poll(worker, admitted.worker, body, req.signal),
);
