import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { bridgeName, nftAllowAnswerScript, nftBaseScript, nftRunScript, nftTeardownScript, parseBlockedSet, runsInTable, scopeKey } from "./nft.ts";
import { compileScope } from "./rules.ts";

const golden = (name: string, text: string) => {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden", name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, text);
  assert.equal(text, readFileSync(file, "utf8"), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
};

const scope = compileScope({
  allow: ["10.231.0.0/16", "2001:db8::/64 443", "10.9.0.0/24 22,80-90", "*.example.com"],
  exclude: ["10.231.5.0/24", "10.231.6.7 22", "2001:db8::5"],
  services: ["192.0.2.10:443", "api.example.net:443"],
});

test("the base table: maps and base chains, refilled idempotently", () => golden("base.nft", nftBaseScript()));

test("a run's rules: exclusions before allows, ports per prefix, services, the resolver, blocked sets", () =>
  golden("run.nft", nftRunScript({ key: "0123456789ab", scope, services: [{ address: "192.0.2.10", port: 443 }, { address: "2001:db8:1::7", port: 443 }], resolver: "172.30.0.1" })));

test("a run without services or resolver: default deny, the machine's input blocked", () =>
  golden("run-empty.nft", nftRunScript({ key: "0123456789ab", scope: compileScope({ allow: [], exclude: [], services: [] }), services: [] })));

test("tear-down: map elements first, then chains and sets; only the elements present", () => {
  golden("teardown.nft", nftTeardownScript("0123456789ab"));
  assert.doesNotMatch(nftTeardownScript("0123456789ab", { fwd: false, in: true }), /fwd_runs/);
});

test("keys: 12 hex digits, the bridge name within Linux's 15 characters; anything else refused", () => {
  const k = scopeKey("run-1");
  assert.match(k, /^[0-9a-f]{12}$/);
  assert.equal(k, scopeKey("run-1"));
  assert.notEqual(k, scopeKey("run-2"));
  assert.ok(bridgeName(k).length <= 15);
  assert.throws(() => nftTeardownScript("x; flush ruleset"));
  assert.throws(() => nftRunScript({ key: "ABC", scope, services: [] }));
});

test("blocked sets as nft -j prints them; junk skipped", () => {
  const json = {
    nftables: [
      { metainfo: { version: "1.0.6" } },
      {
        set: {
          name: "r_0123456789ab_b4",
          elem: [
            { elem: { val: { concat: ["10.0.0.9", "tcp", 443] }, counter: { packets: 3, bytes: 180 } } },
            { elem: { val: { concat: ["10.0.0.9", "icmp", 0] }, counter: { packets: 1, bytes: 84 } } },
            { elem: { val: { concat: ["10.0.0.8", 47, 0] }, counter: { packets: 2, bytes: 84 } } },
            { elem: { val: { concat: ["10.0.0.7", "udp", 99999] } } },
            { elem: { val: "nonsense" } },
            "nonsense",
          ],
        },
      },
    ],
  };
  assert.deepEqual(parseBlockedSet(json), [
    { address: "10.0.0.9", protocol: "tcp", port: 443, packets: 3 },
    { address: "10.0.0.9", protocol: "icmp", port: 0, packets: 1 },
    { address: "10.0.0.8", protocol: "other", port: 0, packets: 2 },
    { address: "10.0.0.7", protocol: "udp", port: 0, packets: 0 },
  ]);
  assert.deepEqual(parseBlockedSet(null), []);
  assert.deepEqual(parseBlockedSet({ nftables: "x" }), []);
});

test("runs found in the table by their chains and map elements (leftovers to reap)", () => {
  const json = {
    nftables: [
      { chain: { name: "forward" } },
      { chain: { name: "r_0123456789ab" } },
      { chain: { name: "r_0123456789ab_in" } },
      { chain: { name: "r_aaaaaaaaaaaa" } },
      { map: { name: "fwd_runs", elem: [["lvr0123456789ab", { jump: { target: "r_0123456789ab" } }], ["lvrbbbbbbbbbbbb", { jump: {} }], ["eth0", {}]] } },
      { map: { name: "in_runs", elem: [["lvr0123456789ab", { jump: { target: "r_0123456789ab_in" } }]] } },
    ],
  };
  assert.deepEqual(Object.fromEntries(runsInTable(json)), {
    "0123456789ab": { fwd: true, in: true },
    aaaaaaaaaaaa: { fwd: false, in: false },
    bbbbbbbbbbbb: { fwd: true, in: false },
  });
});

test("only addresses and prefixes reach a script: anything else in a policy is refused", () => {
  const bad = { ...scope, v4: { allow: [{ cidr: "10.0.0.0/8 accept; flush ruleset" }], exclude: [] } };
  assert.throws(() => nftRunScript({ key: "0123456789ab", scope: bad, services: [] }), /not an IP prefix/);
  assert.throws(() => nftRunScript({ key: "0123456789ab", scope, services: [{ address: "evil.com", port: 1 }] }), /not an IP address/);
  assert.throws(() => nftRunScript({ key: "0123456789ab", scope, services: [], resolver: "1.2.3.4 accept" }), /not an IP address/);
});

test("a DNS answer's addresses: into the run's timed sets, per family, with the name's ports; re-added to refresh the timeout", () => {
  golden("answer.nft", nftAllowAnswerScript("0123456789ab", ["10.231.0.5", "2001:db8::5"], undefined, 60) + nftAllowAnswerScript("0123456789ab", ["10.231.0.6"], [[443, 443], [8000, 8080]], 300));
  assert.equal(nftAllowAnswerScript("0123456789ab", [], undefined, 60), "");
  assert.throws(() => nftAllowAnswerScript("0123456789ab", ["10.0.0.1 } ; flush ruleset ; {"], undefined, 60));
  assert.throws(() => nftAllowAnswerScript("0123456789ab", ["10.0.0.1"], undefined, 0));
  assert.throws(() => nftAllowAnswerScript("nope", ["10.0.0.1"], undefined, 60));
});
