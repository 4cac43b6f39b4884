import { z } from "zod";
import { requireRequestViewer } from "../../../lib/api-auth.ts";
import { handle, parseJson, parseWith, searchParamsObject } from "../../../lib/http.ts";
import { listRuns, startRun, startRunByName } from "../../../lib/runs.ts";

export const runtime = "nodejs";

const args = z.record(z.string(), z.unknown()).default({});
const startSchema = z.union([
  z.object({ versionId: z.string().min(1).max(64), function: z.string().min(1).max(200), args }),
  z.object({ package: z.string().min(3).max(200), version: z.string().max(64).optional(), function: z.string().min(1).max(200), args }),
]);

/** Starts a run: `{package: "ns.name", version?, function, args}` or `{versionId, function, args}`. 422 with fieldErrors for bad arguments. */
export const POST = handle(async (req) => {
  const viewer = await requireRequestViewer(req);
  const body = await parseJson(req, startSchema);
  const run = "versionId" in body ? await startRun(viewer, body) : await startRunByName(viewer, body);
  return Response.json(run, { status: 201 });
});

const listSchema = z.object({
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]).optional(),
  package: z.string().max(200).optional(),
  function: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  all: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
});

export const GET = handle(async (req) => {
  const viewer = await requireRequestViewer(req);
  return Response.json(await listRuns(viewer, parseWith(listSchema, searchParamsObject(req))));
});
