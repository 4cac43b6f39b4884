import "server-only";
import type { RunPolicy } from "../../runner/src/index.ts";
import { compileScope, namesIpv6 } from "../../runner/src/scope/rules.ts";
import { projectEnforcement } from "../projects/scope.ts";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound, validation } from "../errors.ts";
import type { Prisma, RunTrigger } from "../generated/prisma/client.ts";
import { canViewPackage } from "../access/permissions.ts";
import { packagesForReader } from "../packages/dependencies.ts";
import { versionClosure } from "../packages/dependency-load.ts";
import { deviceByName, ensureDeviceQueue } from "../devices/devices.ts";
import { grantsHostNetwork, placeRun } from "../devices/placement.ts";
import { HOSTNET_QUEUE, RUN_QUEUE, type RunQueue } from "../queue/boss.ts";
import { unavailableIfDown } from "../queue/db-down.ts";
import { enqueue, type NewRun } from "../queue/lifecycle/index.ts";
import { recordRunFiles } from "../files/references.ts";
import { getResultStore } from "../results/results-store.ts";
import { loadRunPolicy } from "../policy/run-policy-load.ts";
import { getSettings } from "../platform/settings.ts";
import { assertInsideWindow, projectToRunIn } from "../projects/run-project.ts";
import type { RunSummary, Viewer } from "../types.ts";
import { runInclude, summaries } from "./projection.ts";
import { resolveRunTarget, type VersionRef } from "./target.ts";
import { assertSecretsMayGoToDevice, boundSecrets, recordSecretUse } from "../secrets/bind.ts";

/** Runs whose code may reach beyond their own network (the host's, a LAN segment: the run's own grant or a mode's) wait where only hostNetwork workers look. */
export function queueFor(policy: RunPolicy): RunQueue {
  return grantsHostNetwork(policy) ? HOSTNET_QUEUE : RUN_QUEUE;
}

/** Where a run came from (saved scans and re-runs pass theirs, and their project). */
export interface RunOrigin {
  scanId?: string | null;
  trigger?: RunTrigger;
  /** the project of the scan or of the run re-run (over `RunInput.project`) */
  projectId?: string | null;
}

/**
 * Queues one run through the lifecycle (lib/queue/lifecycle): the Run row, its pg-boss job and its
 * references to the files its arguments name in ONE transaction, so a database that fails in
 * between leaves none of them. `place` says where it
 * waits: the hub's queue its policy calls for, or a device's own queue (`placeRun`), created first.
 */
export async function enqueueRun(data: NewRun, place: { queue: string; deviceId: string | null }, files: readonly string[] = []): Promise<string> {
  if (place.deviceId) await ensureDeviceQueue(place.deviceId);
  return db().$transaction(async (tx) => {
    const runId = await enqueue(tx, data, place);
    // the files its arguments reference, counted with the run: none can be collected while it exists
    await recordRunFiles(tx, runId, files);
    return runId;
  });
}

/**
 * What to run — a version (`VersionRef`), a function, its arguments — in which project (by slug;
 * none: the viewer's personal project), and (optionally) which of the viewer's devices runs it;
 * none: the hub's workers.
 */
export type RunInput = VersionRef & {
  function: string;
  args: Record<string, unknown>;
  device?: string | null;
  /** "pause before entry": each tool task a debugger may enter waits for one before its entry */
  debugPause?: boolean;
  project?: string | null;
};

/**
 * Checks the project (the viewer may run there, inside its authorised window), then what runs
 * (`resolveRunTarget`: the version as the viewer sees it, the function, every argument's field
 * error at once; nothing is queued on error), decides the run's policy (grants, images, limits)
 * and where it waits, and queues it. Returns at once; a worker (or the chosen device) takes it
 * when the limits allow.
 */
export async function startRun(viewer: Viewer, input: RunInput, origin: RunOrigin = {}): Promise<RunSummary> {
  try {
    return await submit(viewer, input, origin);
  } catch (err) {
    throw unavailableIfDown(err, "no run was started");
  }
}

async function submit(viewer: Viewer, input: RunInput, origin: RunOrigin): Promise<RunSummary> {
  const settings = await getSettings();
  const project = await projectToRunIn(viewer, { slug: input.project, id: origin.projectId });
  assertInsideWindow(project);
  // the queue is durable and shared: nobody fills it for everyone (checked at submit, so a burst
  // of simultaneous starts may pass the cap by the starts in flight)
  const waiting = await db().run.count({ where: { ownerId: viewer.id, status: "queued" } });
  if (waiting >= settings.queue.queuedPerUser) {
    throw new AppError("rate_limited", `you have ${waiting} runs waiting in the queue, the most one user may have (${settings.queue.queuedPerUser}, Admin → Workers); cancel some or wait until they start`);
  }
  const { version, fn, args, refs, scope } = await resolveRunTarget(viewer, { ref: input, function: input.function, args: input.args, projectId: project.id }, settings);
  const secrets = await boundSecrets(refs.secret, args);
  const full = `${version.package.namespace.name}.${version.package.name}`;
  const closure = await versionClosure(version.id);
  // a dependency turned private since: its code runs for nobody who may not see it
  const hidden = closure.filter((m) => !canViewPackage(viewer, { private: m.private, namespace: { ownerId: m.ownerId, name: m.namespace } }));
  if (hidden.length) {
    throw validation(`${full} ${version.version} depends on ${packagesForReader(hidden.map((m) => ({ label: `lev.${m.namespace}.${m.name}`, visible: false })))}: it cannot run for you`);
  }
  // the scope as it is now travels with the run: its worker's network enforces it, the run page shows it
  const enforcement = scope ? await projectEnforcement(project.id) : null;
  const policy: RunPolicy = {
    ...(await loadRunPolicy(viewer, version, fn, settings, closure)),
    ...(scope ? { scope: compileScope(scope) } : {}),
    ...(enforcement?.requireEnforcement ? { requireEnforcement: true } : {}),
    ...(enforcement?.allowHostNetwork && !enforcement.requireEnforcement ? { scopeAllowsHostNetwork: true } : {}),
  };
  const device = input.device ? await deviceByName(viewer, input.device) : null;
  if (device) assertSecretsMayGoToDevice(secrets, device.name);
  const place = placeRun({ viewerId: viewer.id, device, hostNetwork: grantsHostNetwork(policy), hostNetworkOnDevicesOnly: settings.queue.hostNetworkOnDevicesOnly, requireEnforcement: policy.requireEnforcement === true, namesIpv6: policy.scope ? namesIpv6(policy.scope, fn.params, args) : false });
  if (!place.ok) throw place.code === "not_found" ? notFound(`device ${input.device}`) : validation(place.message, input.device ? { device: place.message } : undefined);
  // job numbers come from the results store, so documents of different hubs sharing it never collide
  const number = await (await getResultStore()).nextJob();
  const runId = await enqueueRun(
    {
      number,
      ownerId: viewer.id,
      projectId: project.id,
      versionId: version.id,
      function: fn.qualified,
      args: args as Prisma.InputJsonValue,
      policy: policy as unknown as Prisma.InputJsonValue,
      ...(origin.scanId ? { scanId: origin.scanId } : {}),
      ...(origin.trigger ? { trigger: origin.trigger } : {}),
      ...(input.debugPause ? { debugPause: true } : {}),
    },
    place,
    refs.file,
  );
  await audit(
    viewer.id,
    "run.start",
    runId,
    {
      number,
      ...(device ? { device: device.name } : {}),
      package: full,
      version: version.version,
      function: fn.qualified,
      // as stored: secrets and files by reference only, never a value
      args: args as Prisma.InputJsonValue,
      ...(origin.scanId ? { scan: origin.scanId } : {}),
      ...(origin.trigger ? { trigger: origin.trigger } : {}),
      network: policy.network,
      caps: policy.caps,
      ...(project.asAdmin ? { asAdmin: true } : {}),
      ...(input.debugPause ? { debugPause: true } : {}),
    },
    { projectId: project.id },
  );
  await recordSecretUse(viewer, { id: runId, number, projectId: project.id }, secrets);
  const [out] = await summaries([await db().run.findUniqueOrThrow({ where: { id: runId }, include: runInclude })]);
  return out;
}
