import { test } from "node:test";
import assert from "node:assert/strict";
import { cidrRange, grantInputSchema } from "./grants.ts";

const base = { namespace: "alice", network: "bridge", caps: ["NET_RAW"] };
const lan = { parent: "eth1", subnet: "192.168.1.0/24" };

test("an empty, blank or missing package means the whole namespace", () => {
  for (const p of ["", "  ", null, undefined]) assert.equal(grantInputSchema.parse({ ...base, package: p }).package, null);
  assert.equal(grantInputSchema.parse({ ...base, package: " tool " }).package, "tool");
});

test("only GRANTABLE_CAPS, each once, in the fixed order; names must be names", () => {
  assert.deepEqual(grantInputSchema.parse({ ...base, caps: ["NET_BIND_SERVICE", "NET_RAW"] }).caps, ["NET_RAW", "NET_BIND_SERVICE"]);
  assert.deepEqual(grantInputSchema.parse({ ...base, caps: [] }).caps, []);
  for (const caps of [["SYS_ADMIN"], ["ALL"], ["net_raw"], "NET_RAW"]) assert.equal(grantInputSchema.safeParse({ ...base, caps }).success, false, JSON.stringify(caps));
  for (const namespace of ["", "a.b", "../x", "x".repeat(65)]) assert.equal(grantInputSchema.safeParse({ ...base, namespace }).success, false, namespace);
  assert.equal(grantInputSchema.safeParse({ ...base, package: "a/b" }).success, false);
  assert.equal(grantInputSchema.parse(base).note, "");
});

test("network: one of the closed set; the legacy boolean is not accepted", () => {
  for (const network of ["none", "bridge", "host"]) assert.equal(grantInputSchema.parse({ ...base, network }).network, network);
  for (const network of ["yes", "", "HOST", true]) assert.equal(grantInputSchema.safeParse({ ...base, network }).success, false, String(network));
  assert.equal(grantInputSchema.safeParse({ namespace: "alice", hostNetwork: true, caps: [] }).success, false);
});

test("macvlan: a segment with a parent interface and a subnet; range and gateway inside it; dropped for other networks", () => {
  const g = grantInputSchema.parse({ ...base, network: "macvlan", macvlan: { ...lan, ipRange: "192.168.1.240/28", gateway: "192.168.1.1" } });
  assert.deepEqual(g.macvlan, { ...lan, ipRange: "192.168.1.240/28", gateway: "192.168.1.1" });
  assert.deepEqual(grantInputSchema.parse({ ...base, network: "macvlan", macvlan: { ...lan, ipRange: " ", gateway: "" } }).macvlan, lan, "empty form fields: not set");
  const errors = (macvlan: unknown) => {
    const r = grantInputSchema.safeParse({ ...base, network: "macvlan", macvlan });
    assert.equal(r.success, false, JSON.stringify(macvlan));
    return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  };
  assert.match(errors(null), /macvlan\.parent: a LAN segment needs/);
  assert.match(errors({ ...lan, parent: "eth1; rm -rf /" }), /macvlan\.parent/);
  assert.match(errors({ ...lan, parent: "a-very-long-interface" }), /macvlan\.parent/, "over 15 characters");
  assert.match(errors({ ...lan, subnet: "192.168.1.0" }), /macvlan\.subnet/);
  assert.match(errors({ ...lan, subnet: "300.1.1.0/24" }), /macvlan\.subnet/);
  assert.match(errors({ ...lan, ipRange: "192.168.2.0/28" }), /macvlan\.ipRange: must lie inside 192\.168\.1\.0\/24/);
  assert.match(errors({ ...lan, gateway: "10.0.0.1" }), /macvlan\.gateway: must lie inside/);
  assert.equal(grantInputSchema.parse({ ...base, network: "bridge", macvlan: lan }).macvlan, null);
});

test("modes: qualified function names, each once, sorted; empty covers every function but raw ones", () => {
  assert.deepEqual(grantInputSchema.parse(base).modes, []);
  assert.deepEqual(grantInputSchema.parse({ ...base, modes: ["nmap.raw", " server_port", "nmap.raw"] }).modes, ["nmap.raw", "server_port"]);
  for (const m of ["a.b.c", "nmap raw", "", "1abc", "nmap."]) assert.equal(grantInputSchema.safeParse({ ...base, modes: [m] }).success, false, m);
});

test("cidrRange: first and last address of an IPv4 subnet", () => {
  assert.deepEqual(cidrRange("10.0.0.0/30"), [167772160, 167772163]);
  assert.deepEqual(cidrRange("10.0.0.5/30"), [167772164, 167772167], "a host address inside names its subnet");
  assert.equal(cidrRange("10.0.0.0/33"), null);
  assert.equal(cidrRange("10.0.0/8"), null);
});
