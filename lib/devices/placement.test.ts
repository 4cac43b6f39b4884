import assert from "node:assert/strict";
import { test } from "node:test";
import { ENFORCED6_QUEUE, ENFORCED_QUEUE, HOSTNET_QUEUE, RUN_QUEUE, RUN_QUEUES } from "../queue/queue-names.ts";
import { deviceQueue, grantsHostNetwork, mayClaim, placeRun, queuesForWorker, queueWaitText, totalLimitFor } from "./placement.ts";

const mine = { id: "d1", ownerId: "alice", revokedAt: null };

test("a run sent to my device waits in that device's queue, whatever its grants", () => {
  for (const hostNetwork of [false, true]) {
    for (const only of [false, true]) {
      assert.deepEqual(placeRun({ viewerId: "alice", device: mine, hostNetwork, hostNetworkOnDevicesOnly: only }), { ok: true, queue: "levhub-device-d1", deviceId: "d1" });
    }
  }
});

test("someone else's device is not found, and a revoked one is refused", () => {
  const other = placeRun({ viewerId: "bob", device: mine, hostNetwork: false, hostNetworkOnDevicesOnly: false });
  assert.deepEqual(other, { ok: false, code: "not_found", message: "device not found" });
  const revoked = placeRun({ viewerId: "alice", device: { ...mine, revokedAt: new Date() }, hostNetwork: false, hostNetworkOnDevicesOnly: false });
  assert.equal(revoked.ok, false);
  assert.equal(!revoked.ok && revoked.code, "validation");
  // someone else's revoked device is still just not found (nothing about it leaks)
  const both = placeRun({ viewerId: "bob", device: { ...mine, revokedAt: new Date() }, hostNetwork: false, hostNetworkOnDevicesOnly: false });
  assert.equal(!both.ok && both.code, "not_found");
});

test("hub runs: the host-network split, and the admin's rule that host networking needs a device", () => {
  assert.deepEqual(placeRun({ viewerId: "alice", device: null, hostNetwork: false, hostNetworkOnDevicesOnly: false }), { ok: true, queue: RUN_QUEUE, deviceId: null });
  assert.deepEqual(placeRun({ viewerId: "alice", device: null, hostNetwork: false, hostNetworkOnDevicesOnly: true }), { ok: true, queue: RUN_QUEUE, deviceId: null });
  assert.deepEqual(placeRun({ viewerId: "alice", device: null, hostNetwork: true, hostNetworkOnDevicesOnly: false }), { ok: true, queue: HOSTNET_QUEUE, deviceId: null });
  const refused = placeRun({ viewerId: "alice", device: null, hostNetwork: true, hostNetworkOnDevicesOnly: true });
  assert.equal(!refused.ok && refused.code, "validation");
  assert.match(!refused.ok ? refused.message : "", /host networking.*devices/);
});

test("a project that requires enforcement: enforcing workers' queue only; never a device, never the host's network", () => {
  const base = { viewerId: "alice", hostNetworkOnDevicesOnly: false, requireEnforcement: true };
  assert.deepEqual(placeRun({ ...base, device: null, hostNetwork: false }), { ok: true, queue: ENFORCED_QUEUE, deviceId: null });
  const device = placeRun({ ...base, device: { id: "d1", ownerId: "alice", revokedAt: null }, hostNetwork: false });
  assert.match(!device.ok ? device.message : "", /device never counts as doing/);
  const host = placeRun({ ...base, device: null, hostNetwork: true });
  assert.match(!host.ok ? host.message : "", /host's network or a LAN segment, where no scope is enforced/);
  assert.deepEqual(queuesForWorker(null, { enforceScope: true }), [ENFORCED_QUEUE, RUN_QUEUE]);
  assert.deepEqual(queuesForWorker(null, { enforceScope: true, hostNetwork: true }), [HOSTNET_QUEUE, ENFORCED_QUEUE, RUN_QUEUE]);
  assert.deepEqual(queuesForWorker(null, { enforceScope: false }), [RUN_QUEUE], "a worker that cannot enforce never fetches them");
  assert.deepEqual(queuesForWorker({ id: "d1" }, { enforceScope: true }), [deviceQueue("d1")], "a device never fetches them, whatever it says");
});

test("a run of such a project naming IPv6 waits for a worker enforcing IPv6 too; that worker takes both kinds, IPv6 first", () => {
  const base = { viewerId: "alice", hostNetworkOnDevicesOnly: false, device: null, hostNetwork: false };
  assert.deepEqual(placeRun({ ...base, requireEnforcement: true, namesIpv6: true }), { ok: true, queue: ENFORCED6_QUEUE, deviceId: null });
  assert.deepEqual(placeRun({ ...base, requireEnforcement: true, namesIpv6: false }), { ok: true, queue: ENFORCED_QUEUE, deviceId: null });
  assert.deepEqual(placeRun({ ...base, requireEnforcement: false, namesIpv6: true }), { ok: true, queue: RUN_QUEUE, deviceId: null }, "without the requirement any worker may take it");
  const device = placeRun({ ...base, device: mine, requireEnforcement: true, namesIpv6: true });
  assert.equal(device.ok, false);
  assert.deepEqual(queuesForWorker(null, { enforceScope: true, enforceScopeIpv6: true }), [ENFORCED6_QUEUE, ENFORCED_QUEUE, RUN_QUEUE]);
  assert.deepEqual(queuesForWorker(null, { enforceScope: true, enforceScopeIpv6: false }), [ENFORCED_QUEUE, RUN_QUEUE], "IPv4 only: never the IPv6 queue");
  assert.deepEqual(queuesForWorker(null, { enforceScope: false, enforceScopeIpv6: true }), [RUN_QUEUE], "IPv6 without enforcing at all is nothing");
  assert.deepEqual(queuesForWorker({ id: "d1" }, { enforceScope: true, enforceScopeIpv6: true }), [deviceQueue("d1")]);
});

test("what a queued run waits for: said for every queue only some workers take, nothing for the common one", () => {
  assert.match(queueWaitText(ENFORCED6_QUEUE) ?? "", /enforces the project's scope by the network for IPv6 too/);
  assert.match(queueWaitText(ENFORCED_QUEUE) ?? "", /enforces the project's scope by the network \(the project requires it\)/);
  assert.match(queueWaitText(HOSTNET_QUEUE) ?? "", /allows host-network runs/);
  for (const q of RUN_QUEUES) assert.equal(queueWaitText(q) === null, q === RUN_QUEUE, q);
  assert.equal(queueWaitText(deviceQueue("d1")), null);
  assert.equal(queueWaitText(null), null);
});

test("host networking granted to the run or to any dependency", () => {
  assert.equal(grantsHostNetwork({ network: "none" }), false);
  assert.equal(grantsHostNetwork({ network: "bridge" }), false, "the run's own bridge reaches nothing beyond the run");
  assert.equal(grantsHostNetwork({ network: "host" }), true);
  assert.equal(grantsHostNetwork({ network: "macvlan" }), true, "a LAN segment");
  assert.equal(grantsHostNetwork({ network: "none", packages: { a: { modes: { m: { network: "bridge" } } }, b: { modes: { n: { network: "host" } } } } }), true, "a mode's");
  assert.equal(grantsHostNetwork({ network: "none", packages: { a: { modes: { m: { network: "bridge" } } } } }), false);
  assert.equal(grantsHostNetwork({ packages: { a: {} } }), false);
});

test("a device fetches only its own queue; hub workers never fetch a device's", () => {
  assert.deepEqual(queuesForWorker({ id: "d1" }, { hostNetwork: true }), [deviceQueue("d1")]);
  assert.deepEqual(queuesForWorker({ id: "d1" }, {}), ["levhub-device-d1"]);
  assert.deepEqual(queuesForWorker(null, {}), [RUN_QUEUE]);
  assert.deepEqual(queuesForWorker(undefined, { hostNetwork: true }), [HOSTNET_QUEUE, RUN_QUEUE]);
  for (const q of [...queuesForWorker(null, { hostNetwork: true })]) assert.ok(!q.startsWith("levhub-device-"));
});

test("a claim takes only runs of the device's owner sent to that device; hub workers only hub runs", () => {
  const dev = { id: "d1", ownerId: "alice" };
  assert.equal(mayClaim(dev, { ownerId: "alice", deviceId: "d1" }), true);
  assert.equal(mayClaim(dev, { ownerId: "bob", deviceId: "d1" }), false);
  assert.equal(mayClaim(dev, { ownerId: "alice", deviceId: "d2" }), false);
  assert.equal(mayClaim(dev, { ownerId: "alice", deviceId: null }), false);
  assert.equal(mayClaim(null, { ownerId: "alice", deviceId: null }), true);
  assert.equal(mayClaim(null, { ownerId: "alice", deviceId: "d1" }), false);
});

test("the hub-wide limit binds hub workers only", () => {
  assert.equal(totalLimitFor(null, 16), 16);
  assert.ok(totalLimitFor({ id: "d1" }, 16) > 1e9);
});
