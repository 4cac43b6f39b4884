import { test } from "node:test";
import assert from "node:assert/strict";
import { instanceLimit, requestsInFlightLimit, WORKER_LIMITS } from "./worker-limits.ts";

test("a device has the small fixed figures; a hub worker the larger one and the admin's number of instances", () => {
  const device = { device: { id: "d", ownerId: "u", name: "phone" } };
  const hub = { device: null };
  assert.equal(requestsInFlightLimit(device), WORKER_LIMITS.device.requestsInFlight);
  assert.equal(requestsInFlightLimit(hub), WORKER_LIMITS.hub.requestsInFlight);
  assert.ok(WORKER_LIMITS.device.requestsInFlight < WORKER_LIMITS.hub.requestsInFlight);
  assert.equal(instanceLimit(device, { hubWorkerInstances: 50 }), WORKER_LIMITS.device.instances, "the admin's setting is for hub workers only");
  assert.equal(instanceLimit(hub, { hubWorkerInstances: 50 }), 50);
  assert.equal(instanceLimit({}, { hubWorkerInstances: 3 }), 3);
});
