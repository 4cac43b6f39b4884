import assert from "node:assert/strict";
import { test } from "node:test";
import { GRANT_NETWORKS } from "../runner/src/policy/policy.ts";
import { describeGrant, NETWORK_CHOICES } from "./grant-words.ts";

test("every grant network is worded, and says what it exposes", () => {
  for (const n of GRANT_NETWORKS) assert.ok(NETWORK_CHOICES[n].label && NETWORK_CHOICES[n].exposes, n);
  assert.match(NETWORK_CHOICES.host.exposes, /loopback/);
  assert.match(NETWORK_CHOICES.bridge.exposes, /root \(uid 0\) with NET_RAW/);
});

test("describeGrant: in words, never 'host networking · granted'", () => {
  assert.equal(describeGrant({ network: "bridge", caps: ["NET_RAW"] }), "Its tasks run as root with NET_RAW on the run's own network.");
  assert.equal(describeGrant({ network: "bridge", caps: [] }), "Its tasks run unprivileged on the run's own network.");
  assert.equal(describeGrant({ network: "bridge", caps: ["NET_RAW", "NET_ADMIN"] }), "Its tasks run as root with NET_RAW on the run's own network, and may add NET_ADMIN.");
  assert.equal(describeGrant({ network: "host", caps: ["NET_RAW"] }), "Its tasks run as root with NET_RAW on the host's own network: every interface of its machine, loopback services included.");
  assert.equal(describeGrant({ network: "host", caps: [] }), "Its tasks run on the host's own network: every interface of its machine, loopback services included.");
  assert.equal(
    describeGrant({ network: "macvlan", macvlan: { parent: "eth1", subnet: "192.168.1.0/24" }, caps: ["NET_RAW"] }),
    "Its tasks run as root with NET_RAW with their own address on the LAN segment of eth1 (192.168.1.0/24).",
  );
  assert.equal(describeGrant({ network: "none", caps: [] }), "Its tasks get nothing beyond an isolated container.");
  assert.match(describeGrant({ network: "none", caps: ["NET_BIND_SERVICE"] }), /may add NET_BIND_SERVICE/);
});
