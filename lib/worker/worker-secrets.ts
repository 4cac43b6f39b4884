import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { conflict, notFound, validation } from "../errors.ts";
import type { AdmittedRun } from "./admission.ts";
import { collectRefs, isHeld, type RunStatus } from "../../runner/src/index.ts";
import type { SecretsRequest, SecretsResponse } from "../../runner/worker/protocol.ts";
import { checkBodyInstance } from "../queue/workers.ts";
import { secretValues } from "../secrets/values.ts";

/**
 * `POST /api/worker/runs/{id}/secrets` of an admitted instance holding the run (lib/worker/admission.ts):
 * the values of the secrets the run binds, only while it is held. A device gets them only over https (or the hub's
 * own unix socket) and only from projects that allow secrets on devices; anything else is refused
 * with the reason, and the run fails with it. Every delivery and refusal is audited (never a value).
 */
export async function secretsForWorker(admitted: AdmittedRun, req: SecretsRequest): Promise<SecretsResponse> {
  const { caller, worker } = admitted;
  checkBodyInstance(worker, req.instance);
  if (!isHeld(admitted.run.status as RunStatus)) throw conflict("the run is not running: it gets no secrets");
  const run = await db().run.findUnique({ where: { id: admitted.run.id }, select: { id: true, number: true, args: true, projectId: true } });
  if (!run) throw notFound("run");
  const ids = collectRefs(run.args).filter((r) => r.$lev === "secret").map((r) => r.id);
  if (!ids.length) return { secrets: {} };
  const by = { run: run.id, number: run.number, worker: worker.name, ...(caller.device ? { device: caller.device.name } : {}) };
  const refuse = async (message: string) => {
    await audit(null, "secret.refused", run.id, { ...by, reason: message }, { projectId: run.projectId });
    throw validation(message);
  };
  if (caller.device && req.hubScheme === "http") {
    await refuse(`secrets are sent to a device only over https: device ${caller.device.name} reaches the hub over http (give lev agent the hub's https:// address)`);
  }
  let values;
  try {
    values = await secretValues(ids);
  } catch (err) {
    await refuse(err instanceof Error ? err.message : String(err));
    throw err;
  }
  if (caller.device) {
    const kept = [...values.values()].filter((v) => !v.secretsOnDevices).map((v) => v.name);
    if (kept.length) await refuse(`secret ${kept.join(", ")} may not be sent to a device: its project keeps its secrets on the hub's workers`);
  }
  for (const v of values.values()) await audit(null, "secret.deliver", v.id, { ...by, name: v.name }, { projectId: run.projectId });
  return { secrets: Object.fromEntries([...values.values()].map((v) => [v.id, { kind: "secret" as const, name: v.name, value: v.value }])) };
}
