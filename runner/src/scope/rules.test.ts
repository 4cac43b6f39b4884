import assert from "node:assert/strict";
import { test } from "node:test";
import { formatAddress, parseAddress, parseIPv6 } from "./addresses.ts";
import { checkTarget, checkTargets, compiledEntries, compileScope, MAX_SCOPE_RULES, parseRule, parseService, scopeSchema, type Scope, type TargetKind } from "./rules.ts";

const scope = (allow: string[], exclude: string[] = [], services: string[] = []): Scope => scopeSchema.parse({ allow, exclude, services });

function expectOk(s: Scope, value: unknown, kind: TargetKind = "target") {
  const r = checkTargets(s, value, kind);
  assert.deepEqual(r, { ok: true }, `${String(value)} (${kind}) should be in scope: ${r.ok ? "" : r.message}`);
}
function expectRefused(s: Scope, value: unknown, kind: TargetKind = "target", reason?: "outside" | "excluded" | "invalid") {
  const r = checkTargets(s, value, kind);
  assert.equal(r.ok, false, `${String(value)} (${kind}) should be refused`);
  if (!r.ok && reason) assert.equal(r.reason, reason, `${String(value)}: ${r.message}`);
  return r;
}

test("IPv6 text forms parse to the same number and print canonically", () => {
  const full = parseIPv6("2001:0db8:0000:0000:0000:0000:0000:0001");
  for (const form of ["2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:db8:0::0:1"]) assert.equal(parseIPv6(form), full, form);
  assert.equal(formatAddress({ family: 6, value: full! }), "2001:db8::1");
  assert.equal(parseIPv6("::"), 0n);
  assert.equal(parseIPv6("::1"), 1n);
  assert.equal(formatAddress({ family: 6, value: 0n }), "::");
  assert.equal(formatAddress({ family: 6, value: parseIPv6("1:0:0:2:0:0:0:3")! }), "1:0:0:2::3");
  for (const bad of ["1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", ":::", "1:2:3:4:5:6:7", "::1.2.3", "1.2.3.4", "::ffff:1.2.3.256"]) {
    assert.equal(parseIPv6(bad), null, bad);
  }
});

test("IPv4-mapped IPv6 addresses are the IPv4 address they map", () => {
  assert.deepEqual(parseAddress("::ffff:10.0.0.1"), parseAddress("10.0.0.1"));
  assert.deepEqual(parseAddress("::FFFF:a00:1"), parseAddress("10.0.0.1"));
  const s = scope(["10.0.0.0/8"], ["10.5.0.0/16"]);
  expectOk(s, "::ffff:10.0.0.1");
  expectRefused(s, "::ffff:10.5.0.1", "target", "excluded");
  expectOk(scope(["::ffff:10.0.0.0/104"]), "10.9.9.9");
  assert.deepEqual(scope(["::ffff:10.0.0.0/104"]).allow, ["10.0.0.0/8"]);
});

test("CIDR edges: /0, /32, /128, the first and last address", () => {
  expectOk(scope(["0.0.0.0/0"]), "255.255.255.255");
  expectOk(scope(["0.0.0.0/0"]), "0.0.0.0");
  expectRefused(scope(["0.0.0.0/0"]), "2001:db8::1", "target", "outside");
  expectOk(scope(["::/0"]), "2001:db8::1");
  expectRefused(scope(["::/0"]), "10.0.0.1", "target", "outside");
  const s24 = scope(["192.0.2.0/24"]);
  expectOk(s24, "192.0.2.0");
  expectOk(s24, "192.0.2.255");
  expectRefused(s24, "192.0.1.255", "target", "outside");
  expectRefused(s24, "192.0.3.0", "target", "outside");
  expectOk(scope(["192.0.2.7/32"]), "192.0.2.7");
  expectRefused(scope(["192.0.2.7/32"]), "192.0.2.8");
  expectOk(scope(["192.0.2.7"]), "192.0.2.7");
  expectOk(scope(["2001:db8::1/128"]), "2001:db8:0::1");
  expectRefused(scope(["2001:db8::1/128"]), "2001:db8::2");
  const v6 = scope(["2001:db8::/64"]);
  expectOk(v6, "2001:db8::");
  expectOk(v6, "2001:db8::ffff:ffff:ffff:ffff");
  expectRefused(v6, "2001:db8:0:1::", "target", "outside");
  // a CIDR target must lie wholly inside
  expectOk(s24, "192.0.2.128/25", "cidr");
  expectRefused(s24, "192.0.2.0/23", "cidr", "outside");
});

test("exclusions win, at every granularity", () => {
  const s = scope(["10.231.0.0/16", "*.a.com", "https://x.b.com"], ["10.231.5.0/24", "secret.a.com", "10.231.7.7 22"]);
  const r = expectRefused(s, "10.231.5.9", "target", "excluded");
  assert.ok(!r.ok && r.rule === "10.231.5.0/24" && r.message.includes("10.231.5.9") && r.message.includes("10.231.5.0/24"));
  expectRefused(s, "10.231.0.0/16", "cidr", "excluded"); // it contains the exclusion
  expectRefused(s, "10.231.5.0/25", "cidr", "excluded");
  expectOk(s, "10.231.6.0/24", "cidr");
  expectRefused(s, "secret.a.com", "host", "excluded");
  expectRefused(s, "SECRET.a.com.", "host", "excluded");
  expectOk(s, "public.a.com", "host");
  // an exclusion with ports: that port refused, others and the bare host allowed
  expectRefused(s, "10.231.7.7:22", "target", "excluded");
  expectOk(s, "10.231.7.7:80");
  expectOk(s, "10.231.7.7");
  expectRefused(scope(["0.0.0.0/0"], ["0.0.0.0/0"]), "1.2.3.4", "target", "excluded");
});

test("the outside message names the value and the rules", () => {
  const r = checkTarget(scope(["10.231.0.0/16"], ["10.231.5.0/24"]), "10.9.9.9");
  assert.deepEqual(r, {
    ok: false,
    reason: "outside",
    rule: "allowed: 10.231.0.0/16",
    message: "10.9.9.9 is outside the project's scope (allowed: 10.231.0.0/16; excluded: 10.231.5.0/24)",
  });
  const many = checkTarget(scope(Array.from({ length: 8 }, (_, i) => `10.0.${i}.0/24`)), "11.0.0.1");
  assert.ok(!many.ok && many.message.endsWith("10.0.4.0/24 and 3 more)"), !many.ok ? many.message : "");
  const none = checkTarget(scope([], ["10.0.0.0/8"]), "11.0.0.1");
  assert.ok(!none.ok && none.message.includes("allowed: nothing"));
});

test("host-name wildcards match names below, at any depth, never the name itself", () => {
  const s = scope(["*.a.com"]);
  expectOk(s, "b.a.com", "host");
  expectOk(s, "c.b.a.com", "host");
  expectRefused(s, "a.com", "host", "outside");
  expectRefused(s, "ba.com", "host", "outside");
  expectRefused(s, "b.a.com.evil.net", "host", "outside");
  const exact = scope(["A.Com."]);
  assert.deepEqual(exact.allow, ["a.com"]);
  expectOk(exact, "a.com");
  expectOk(exact, "A.COM.");
  expectRefused(exact, "b.a.com", "host", "outside");
  // names never match address rules (resolution is the network's job) nor the other way round
  expectRefused(scope(["10.0.0.0/8"]), "intranet.local", "host", "outside");
  expectRefused(s, "10.0.0.1", "host", "outside");
});

test("ports and ranges on rules", () => {
  const s = scope(["10.0.0.0/24 22,80,8000-8100"]);
  assert.deepEqual(s.allow, ["10.0.0.0/24 22,80,8000-8100"]);
  expectOk(s, "10.0.0.5:22");
  expectOk(s, "10.0.0.5:8000");
  expectOk(s, "10.0.0.5:8100");
  expectRefused(s, "10.0.0.5:8101", "target", "outside");
  expectRefused(s, "10.0.0.5:443", "target", "outside");
  expectOk(s, "10.0.0.5"); // the tool picks ports; the network limits them
  expectOk(s, "8050", "port");
  expectOk(s, "8000-8100", "port");
  expectRefused(s, "7999-8001", "port", "outside");
  expectOk(s, "[::ffff:10.0.0.5]:80");
  expectOk(scope(["10.0.0.0/24 1-65535"]), "65535", "port");
  expectOk(scope(["10.0.0.0/24"]), "1", "port");
  expectRefused(s, "0", "port", "invalid");
  expectRefused(s, "65536", "port", "invalid");
  for (const bad of ["10.0.0.0/24 0", "10.0.0.0/24 65536", "10.0.0.0/24 90-80", "10.0.0.0/24 http", "10.0.0.0/24 80 443"]) {
    assert.equal(typeof parseRule(bad), "string", bad);
  }
  assert.equal(typeof parseRule(`10.0.0.0/24 ${Array.from({ length: 33 }, (_, i) => i + 1).join(",")}`), "string");
});

test("URL origins: their host and port, defaults 443 and 80", () => {
  const s = scope(["https://App.Example.com", "http://b.example.com", "https://c.example.com:8443"]);
  assert.deepEqual(s.allow, ["app.example.com 443", "b.example.com 80", "c.example.com 8443"]);
  expectOk(s, "https://app.example.com/login?x=1", "url");
  expectOk(s, "https://app.example.com:443/", "url");
  expectRefused(s, "http://app.example.com/", "url", "outside");
  expectOk(s, "http://b.example.com", "url");
  expectOk(s, "https://c.example.com:8443/a");
  expectRefused(s, "https://c.example.com/", "url", "outside");
  expectOk(scope(["https://[2001:db8::1]:8443"]), "https://[2001:db8::1]:8443/x", "url");
  for (const bad of ["ftp://a.com", "https://a.com/path", "https://user:pw@a.com", "https://a.com 443"]) {
    assert.equal(typeof parseRule(bad), "string", bad);
  }
  expectRefused(s, "ftp://app.example.com", "url", "invalid");
  expectRefused(s, "app.example.com", "url", "invalid");
});

test("a target of the wrong kind or garbage is refused with a clear message", () => {
  const s = scope(["10.0.0.0/8"]);
  const r = expectRefused(s, "10.0.0.0/8", "host", "invalid");
  assert.ok(!r.ok && r.message.includes("a range"));
  expectRefused(s, "a.com", "cidr", "invalid");
  expectRefused(s, "10.0.0.1/33", "cidr", "invalid");
  const hostBits = expectRefused(s, "10.0.0.1/8", "cidr", "invalid");
  assert.ok(!hostBits.ok && hostBits.message.includes("did you mean 10.0.0.0/8"));
  // an empty value targets nothing (whether a value is required is the form's check)
  expectOk(s, "");
  for (const junk of ["-a.com", "a..com", "10.0.0", "300.1.1.1", "a_b.com", "$(rm -rf)", "x".repeat(300)]) {
    expectRefused(s, junk, "target", "invalid");
  }
  expectRefused(s, [{ not: "a string" }], "target", "invalid");
});

test("a list of targets checks each; a string of several is split", () => {
  const s = scope(["10.0.0.0/24"]);
  expectOk(s, ["10.0.0.1", "10.0.0.2"]);
  expectOk(s, "10.0.0.1 10.0.0.2,10.0.0.3");
  const r = expectRefused(s, ["10.0.0.1", "10.0.1.1"], "target", "outside");
  assert.ok(!r.ok && r.message.startsWith("10.0.1.1 "));
  expectRefused(s, "10.0.0.1 10.0.1.1");
});

test("the schema refuses bad entries by index, caps the rule count and normalises", () => {
  const bad = scopeSchema.safeParse({ allow: ["10.0.0.0/8", "nope!"], exclude: ["1.2.3.4/40"], services: ["a.com"] });
  assert.equal(bad.success, false);
  const paths = bad.error!.issues.map((i) => i.path.join("."));
  assert.deepEqual(paths.sort(), ["allow.1", "exclude.0", "services.0"]);
  const tooMany = scopeSchema.safeParse({ allow: Array.from({ length: 200 }, (_, i) => `10.0.${i}.0/24`), exclude: Array.from({ length: 57 }, (_, i) => `10.1.${i}.0/24`) });
  assert.equal(tooMany.success, false);
  assert.match(tooMany.error!.issues[0]!.message, /at most 256 rules/);
  assert.equal(scopeSchema.safeParse({ allow: Array.from({ length: MAX_SCOPE_RULES }, (_, i) => `10.${i}.0.0/16`) }).success, true);
  assert.equal(scopeSchema.safeParse({ allow: [], other: 1 }).success, false);
  assert.deepEqual(scope(["10.0.0.1", " 10.0.0.1/32 ", "2001:DB8:0::/32"]).allow, ["10.0.0.1", "2001:db8::/32"]);
});

test("services: one host and port each; never targets", () => {
  assert.deepEqual(parseService("API.shodan.io:443"), { host: "api.shodan.io", port: 443 });
  assert.deepEqual(parseService("[2001:DB8::1]:8443"), { host: "[2001:db8::1]", port: 8443 });
  for (const bad of ["api.shodan.io", "*.shodan.io:443", "10.0.0.0/8:443", "a.com:0", "a.com:70000", "2001:db8::1:443"]) {
    assert.equal(typeof parseService(bad), "string", bad);
  }
  const s = scope(["10.0.0.0/8"], [], ["api.shodan.io:443"]);
  expectRefused(s, "api.shodan.io", "host", "outside");
});

test("compileScope: prefixes per family, names, ports and services", () => {
  const c = compileScope(scope(["10.0.0.0/8 80", "192.0.2.7", "2001:db8::/32", "2001:db8::7", "*.a.com", "https://b.com"], ["10.5.0.0/16", "::ffff:10.6.0.0/112", "x.a.com"], ["api.shodan.io:443"]));
  assert.deepEqual(c, {
    v4: { allow: [{ cidr: "10.0.0.0/8", ports: [[80, 80]] }, { cidr: "192.0.2.7/32" }], exclude: [{ cidr: "10.5.0.0/16" }, { cidr: "10.6.0.0/16" }] },
    v6: { allow: [{ cidr: "2001:db8::/32" }, { cidr: "2001:db8::7/128" }], exclude: [] },
    names: { allow: [{ name: "a.com", wildcard: true }, { name: "b.com", wildcard: false, ports: [[443, 443]] }], exclude: [{ name: "x.a.com", wildcard: false }] },
    services: [{ host: "api.shodan.io", port: 443 }],
  });
  assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  assert.deepEqual(compiledEntries(c), {
    allow: ["10.0.0.0/8 80", "192.0.2.7", "2001:db8::/32", "2001:db8::7", "*.a.com", "b.com 443"],
    exclude: ["10.5.0.0/16", "10.6.0.0/16", "x.a.com"],
    services: ["api.shodan.io:443"],
  });
});

test("argsOutOfScope: only target parameters, each value, absent values target nothing, unknown kinds are no target", async () => {
  const { argsOutOfScope, paramTargetKind } = await import("./rules.ts");
  const s = scope(["10.231.0.0/16"], ["10.231.5.0/24"]);
  const params = [{ name: "ip", kind: "target" }, { name: "ports" }, { name: "site", kind: "url" }, { name: "odd", kind: "address" }, { name: "more", kind: "target" }];
  const bad = argsOutOfScope(s, params, { ip: "10.9.9.9", ports: "1.2.3.4", site: null, odd: "8.8.8.8", more: ["10.231.0.1", "10.231.5.1"] });
  assert.deepEqual(Object.keys(bad), ["ip", "more"]);
  assert.equal(bad.ip!.message, "10.9.9.9 is outside the project's scope (allowed: 10.231.0.0/16; excluded: 10.231.5.0/24)");
  assert.equal(bad.more!.reason, "excluded");
  assert.deepEqual(argsOutOfScope(s, params, { ip: "10.231.0.7", more: [] }), {});
  assert.equal(paramTargetKind({ kind: "cidr" }), "cidr");
  assert.equal(paramTargetKind({ kind: "toString" }), null);
  assert.equal(paramTargetKind({}), null);
});

test("namesIpv6: a scope with IPv6 rules, or a target parameter's value naming an IPv6 address or prefix", async () => {
  const { namesIpv6 } = await import("./rules.ts");
  const v4 = compileScope(scope(["10.231.0.0/16", "app.example.test"]));
  const params = [{ name: "ip", kind: "target" }, { name: "note" }, { name: "site", kind: "url" }, { name: "port", kind: "port" }];
  assert.equal(namesIpv6(v4, params, { ip: "10.231.0.1", note: "2001:db8::1" }), false, "an unmarked parameter names no target");
  assert.equal(namesIpv6(v4, params, { ip: "10.231.0.1 2001:db8::1" }), true);
  assert.equal(namesIpv6(v4, params, { ip: ["10.231.0.1", "[2001:db8::1]:443"] }), true);
  assert.equal(namesIpv6(v4, params, { ip: "2001:db8::/64" }), true);
  assert.equal(namesIpv6(v4, params, { site: "https://[2001:db8::5]:8443/x" }), true);
  assert.equal(namesIpv6(v4, params, { ip: "::ffff:10.231.0.1" }), false, "an IPv4-mapped address is IPv4");
  assert.equal(namesIpv6(v4, params, { ip: "app.example.test", site: "https://app.example.test/", port: "443" }), false);
  assert.equal(namesIpv6(v4, params, { ip: null, site: "not a url" }), false);
  assert.equal(namesIpv6(compileScope(scope(["10.231.0.0/16"], ["2001:db8::/32"])), params, {}), true, "an IPv6 exclusion is an IPv6 rule");
  assert.equal(namesIpv6(compileScope(scope(["2001:db8::/48"])), params, { ip: "2001:db8::1" }), true);
});

test("a compiled scope travels in a run's policy: the policy schema keeps it and refuses a malformed one", async () => {
  const { compiledScopeSchema } = await import("./rules.ts");
  const { runPolicySchema, localPolicy } = await import("../policy/policy.ts");
  const compiled = compileScope(scope(["10.231.0.0/16 22,80"], ["10.231.5.0/24"], ["api.shodan.io:443"]));
  assert.deepEqual(compiledScopeSchema.parse(compiled), compiled);
  const policy = { ...localPolicy(), scope: compiled };
  assert.deepEqual(runPolicySchema.parse(JSON.parse(JSON.stringify(policy))).scope, compiled);
  assert.equal(runPolicySchema.parse(localPolicy()).scope, undefined);
  assert.equal(runPolicySchema.safeParse({ ...localPolicy(), scope: { ...compiled, v4: { allow: [{ cidr: "x", ports: [[0, 70000]] }], exclude: [] } } }).success, false);
  assert.equal(runPolicySchema.safeParse({ ...localPolicy(), scope: { ...compiled, extra: 1 } }).success, false);
});

test("levrt's annot.TARGET_KINDS is TARGET_KINDS: a kind a package can declare is one the hub checks", async () => {
  const { spawnSync } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const { TARGET_KINDS } = await import("./rules.ts");
  const runtime = fileURLToPath(new URL("../../python", import.meta.url));
  const out = spawnSync("python3", ["-c", "import json; from levrt.annot import TARGET_KINDS; print(json.dumps(TARGET_KINDS))"], { env: { ...process.env, PYTHONPATH: runtime }, encoding: "utf8", timeout: 30_000 });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), [...TARGET_KINDS]);
});
