import assert from "node:assert/strict";
import { test } from "node:test";
import { blockedLines, enforcementText } from "./run-scope-lines.ts";

const enforced = {
  enforcement: "enforced" as const,
  blocked: [
    { address: "10.0.0.9", protocol: "tcp" as const, port: 443, packets: 12 },
    { address: "2001:db8::1", protocol: "tcp" as const, port: 80, packets: 1 },
    { address: "10.0.0.8", protocol: "icmp" as const, port: 0, packets: 2 },
  ],
  blockedDropped: 0,
};

test("blocked destinations read as the run page shows them, IPv6 bracketed, no port for ICMP", () => {
  assert.deepEqual(blockedLines(enforced), [
    "blocked 10.0.0.9:443/tcp, out of scope — 12 packets",
    "blocked [2001:db8::1]:80/tcp, out of scope — 1 packet",
    "blocked 10.0.0.8/icmp, out of scope — 2 packets",
  ]);
  assert.deepEqual(blockedLines({ ...enforced, blocked: [], blockedDropped: 3 }), ["and 3 more destinations not listed"]);
  assert.deepEqual(blockedLines(null), []);
});

test("host names the run's DNS responder refused, after the destinations, then how many more", () => {
  const r = { ...enforced, blocked: [], blockedNames: [{ name: "outside.test", reason: "out of scope" as const, queries: 3 }, { name: "secret.lab.test", reason: "excluded" as const, queries: 1 }], blockedNamesDropped: 2 };
  assert.deepEqual(blockedLines(r), ["refused host name outside.test, out of scope — 3 queries", "refused host name secret.lab.test, excluded — 1 query", "and 2 more host names not listed"]);
});

test("enforcement: enforced (URL paths never), unenforced with its reason, not reported", () => {
  assert.match(enforcementText(enforced, true), /^enforced .*resolve no host name outside the run; URL paths are not enforced/);
  assert.match(enforcementText({ ...enforced, resolver: true }, true), /^enforced .*host names, through the run's DNS responder; URL paths are not enforced/);
  assert.equal(enforcementText({ enforcement: "unenforced", reason: "this worker's engine cannot enforce a scope", blocked: [], blockedDropped: 0 }, true), "not enforced by the network: this worker's engine cannot enforce a scope");
  assert.match(enforcementText(null, true), /^not reported/);
  assert.match(enforcementText(null, false), /once the run's network exists/);
});
