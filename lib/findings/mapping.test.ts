import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { declaredMappings, mappingsFor, type CollectionMappings } from "./declarations.ts";
import { mapDocument } from "./mapping.ts";
import { NMAP_MAPPINGS, PORT_OS } from "./testing.ts";

const NMAP = declaredMappings(NMAP_MAPPINGS);
const port = (n: number, state: string, service: string | null, extra: Record<string, unknown> = {}) => ({ port: n, protocol: "tcp", state, service, product: null, version: null, ...extra });
const NMAP_DOC = {
  target: "10.231.7.2",
  hosts: [
    {
      ip: "10.231.7.2",
      hostnames: ["Target.Example.TEST."],
      status: "up",
      ports: [port(22, "open", "ssh", { product: "OpenSSH", version: "9.2p1" }), port(23, "open", "telnet"), port(80, "closed", "http"), port(443, "filtered", "https")],
      os: [{ name: "Linux 5.X", accuracy: 96 }],
    },
    { ip: "10.231.7.3", hostnames: [], status: "up", ports: [] },
  ],
};

test("the nmap example's declarations are sound and pick its collections, namespaced or not", () => {
  assert.deepEqual(NMAP.problems, []);
  assert.equal(NMAP.assets.length, 2);
  assert.equal(mappingsFor(`demo1|${PORT_OS}`, NMAP).findings.length, 1);
  assert.equal(mappingsFor("szczecin/nmap_python.alive@1.0", NMAP).assets?.address, "alive[]");
  assert.equal(mappingsFor("szczecin/nmap_python.raw@1.0", NMAP).assets, null);
  // a declaration written without a version covers every version of the schema
  const bare = declaredMappings({ assets: [{ schema: "a/b.scan", address: "ip" }] });
  assert.equal(mappingsFor("a/b.scan@2.1", bare).assets?.schema, "a/b.scan");
  assert.equal(mappingsFor("a/b.scan", bare).assets?.schema, "a/b.scan");
});

test("an nmap document maps to its hosts, its open ports as services and one finding per risky open port", () => {
  const m = mapDocument(NMAP_DOC, mappingsFor(PORT_OS, NMAP), { rows: true });
  assert.deepEqual(
    m.hosts.map((h) => [h.address, h.names, h.at]),
    [
      ["10.231.7.2", ["target.example.test"], "hosts[0]"],
      ["10.231.7.3", [], "hosts[1]"],
    ],
  );
  assert.deepEqual(
    m.services.map((s) => [s.address, s.port, s.protocol, s.state, s.service, s.product, s.version, s.at]),
    [
      ["10.231.7.2", 22, "tcp", "open", "ssh", "OpenSSH", "9.2p1", "hosts[0].ports[0]"],
      ["10.231.7.2", 23, "tcp", "open", "telnet", null, null, "hosts[0].ports[1]"],
    ],
  );
  assert.equal(m.noService, 2, "closed and filtered ports are no service");
  assert.deepEqual(m.problems, []);
  assert.equal(m.findings.length, 1);
  const [f] = m.findings;
  assert.equal(f.key, "cleartext-remote-access");
  assert.equal(f.severity, "medium");
  assert.equal(f.title, "Cleartext remote access service reachable: telnet on 23/tcp (named by port number)");
  assert.deepEqual(f.asset, { kind: "service", address: "10.231.7.2", protocol: "tcp", port: 23 });
  const whole = '{"port":23,"product":null,"protocol":"tcp","service":"telnet","state":"open","version":null}';
  assert.deepEqual(f.evidence, { path: "hosts[0].ports[1]", excerpt: whole, sha256: createHash("sha256").update(whole).digest("hex") });
  // the run page's rows: every port the document lists, and a host without ports as one row
  assert.deepEqual(
    m.rows.map((r) => [r.address, r.port, r.state]),
    [
      ["10.231.7.2", 22, "open"],
      ["10.231.7.2", 23, "open"],
      ["10.231.7.2", 80, "closed"],
      ["10.231.7.2", 443, "filtered"],
      ["10.231.7.3", null, null],
    ],
  );
});

test("a list of bare addresses is a list of hosts", () => {
  const m = mapDocument({ target: "10.0.0.0/30", alive: ["10.0.0.1", "10.0.0.2", "not-an-ip", "10.0.0.1"] }, mappingsFor("szczecin/nmap_python.alive@1.0", NMAP));
  assert.deepEqual(
    m.hosts.map((h) => h.address),
    ["10.0.0.1", "10.0.0.2"],
  );
  assert.deepEqual(m.problems, ['alive[2]: "not-an-ip" is not an IP address']);
  assert.equal(m.skipped, 1);
});

test("nuclei's JSONL: the document is the finding, on the web origin it matched", () => {
  const d = declaredMappings({
    assets: [{ schema: "x/nuclei.result@1.0", address: "ip", port: "port", origins: "matched-at" }],
    findings: [
      {
        schema: "x/nuclei.result@1.0",
        key: "{template-id}:{matcher-name}",
        title: "{info.name}",
        severity: "{info.severity}",
        severities: { Unknown: "info" },
        asset: "origin",
        evidence: "matched-at",
      },
    ],
  });
  assert.deepEqual(d.problems, []);
  const doc = { "template-id": "git-config", "matcher-name": "", info: { name: "Git Config Disclosure", severity: "Medium" }, host: "https://app.example.test", "matched-at": "https://App.Example.test:443/.git/config", ip: "10.231.7.2", port: "443" };
  const m = mapDocument(doc, mappingsFor("x/nuclei.result@1.0", d));
  assert.deepEqual(m.hosts.map((h) => h.address), ["10.231.7.2"]);
  assert.deepEqual(m.services.map((s) => [s.port, s.protocol]), [[443, "tcp"]]);
  assert.deepEqual(m.origins.map((o) => [o.scheme, o.host, o.port]), [["https", "app.example.test", 443]]);
  assert.equal(m.findings.length, 1);
  assert.deepEqual(
    { key: m.findings[0].key, title: m.findings[0].title, severity: m.findings[0].severity, asset: m.findings[0].asset, path: m.findings[0].evidence.path, excerpt: m.findings[0].evidence.excerpt },
    { key: "git-config:", title: "Git Config Disclosure", severity: "medium", asset: { kind: "origin", scheme: "https", host: "app.example.test", port: 443 }, path: "matched-at", excerpt: "https://App.Example.test:443/.git/config" },
  );
  const unknown = mapDocument({ ...doc, info: { name: "x", severity: "unknown" } }, mappingsFor("x/nuclei.result@1.0", d));
  assert.equal(unknown.findings[0].severity, "info", "the mapping translates the tool's words, whatever their case");
  const odd = mapDocument({ ...doc, info: { name: "x", severity: "urgent" } }, mappingsFor("x/nuclei.result@1.0", d));
  assert.deepEqual(odd.findings, []);
  assert.match(odd.problems[0], /^finding \{template-id\}:\{matcher-name\}: severity "urgent" is none of info, low, medium, high, critical/);
});

test("SARIF: each result of each run, rated by level, about the repository its run analysed", () => {
  const d = declaredMappings({
    assets: [{ schema: "x/sarif.log@2.1", origins: "runs[].versionControlProvenance[].repositoryUri" }],
    findings: [
      {
        schema: "x/sarif.log@2.1",
        each: "runs[].results[]",
        key: "{runs[].results[].ruleId}:{runs[].results[].locations[].physicalLocation.artifactLocation.uri}",
        title: "{runs[].results[].message.text}",
        severity: "{runs[].results[].level}",
        severities: { error: "high", warning: "medium", note: "low", none: "info" },
        asset: "origin",
      },
    ],
  });
  const result = (ruleId: string, level: string, uri: string) => ({ ruleId, level, message: { text: `${ruleId} in ${uri}` }, locations: [{ physicalLocation: { artifactLocation: { uri } } }] });
  const doc = {
    runs: [
      { versionControlProvenance: [{ repositoryUri: "https://git.example.test/team/app" }], results: [result("js/sql-injection", "error", "src/db.js"), result("js/unused", "note", "src/a.js")] },
      { versionControlProvenance: [{ repositoryUri: "https://git.example.test/team/lib" }], results: [result("js/sql-injection", "warning", "x.js")] },
    ],
  };
  const m = mapDocument(doc, mappingsFor("x/sarif.log@2.1", d));
  assert.deepEqual(m.problems, []);
  assert.deepEqual(
    m.findings.map((f) => [f.key, f.severity, f.asset && f.asset.kind === "origin" ? f.asset.host : null, f.evidence.path]),
    [
      ["js/sql-injection:src/db.js", "high", "git.example.test", "runs[0].results[0]"],
      ["js/unused:src/a.js", "low", "git.example.test", "runs[0].results[1]"],
      ["js/sql-injection:x.js", "medium", "git.example.test", "runs[1].results[0]"],
    ],
  );
  assert.equal(m.origins.length, 1, "both repositories share one web origin");
});

test("a custom tool: one host per document, a constant finding about the project, conditions on numbers written as text", () => {
  const d = declaredMappings({
    assets: [{ schema: "me/tool.check@1", address: "host.addr" }],
    findings: [
      { schema: "me/tool.check@1", each: "checks[]", where: [{ path: "checks[].code", in: [401, 403] }], key: "auth-{checks[].code}", title: "Auth refused on {checks[].url}", severity: "low" },
      { schema: "me/tool.check@1", key: "weak-host", title: "Weak host {host.addr}", severity: "high", asset: "host" },
    ],
  });
  assert.deepEqual(d.problems, []);
  const m = mapDocument({ host: { addr: "2001:DB8::0:1" }, checks: [{ code: "401", url: "/a" }, { code: 200, url: "/b" }, { code: 403, url: "/c" }, { code: "4o1", url: "/d" }] }, mappingsFor("me/tool.check@1", d));
  assert.deepEqual(m.hosts.map((h) => h.address), ["2001:db8::1"]);
  assert.deepEqual(
    m.findings.map((f) => [f.key, f.title, f.asset]),
    [
      ["auth-401", "Auth refused on /a", null],
      ["auth-403", "Auth refused on /c", null],
      ["weak-host", "Weak host 2001:DB8::0:1", { kind: "host", address: "2001:db8::1" }],
    ],
  );
});

test("hostile values are refused one by one with the reason, and the rest still maps", () => {
  const doc = {
    hosts: [
      { ip: "10.0.0.300", ports: [port(22, "open", "ssh")] },
      { ip: { $gt: "" }, ports: [] },
      { ip: "fe80::1%eth0" },
      { ip: "::ffff:10.0.0.9", hostnames: ["ok.test", "bad name", 7, "x".repeat(300)], ports: [port(70000, "open", null), { port: "22", protocol: "TCP", state: "OPEN", service: "ssh\u0000\n" }, { port: 23, protocol: "icmp", state: "open" }, { protocol: "tcp" }] },
    ],
  };
  const m = mapDocument(doc, mappingsFor(PORT_OS, NMAP));
  assert.deepEqual(m.hosts.map((h) => [h.address, h.names]), [["10.0.0.9", ["ok.test"]]]);
  assert.deepEqual(m.services.map((s) => [s.port, s.protocol, s.state, s.service]), [[22, "tcp", "open", "ssh"]]);
  assert.deepEqual(m.problems, [
    'hosts[0].ip: "10.0.0.300" is not an IP address',
    'hosts[1].ip: {"$gt":""} is not an IP address',
    'hosts[2].ip: "fe80::1%eth0" is not an IP address',
    'hosts[3].hostnames[1]: host name "bad name" is not a DNS name',
    "hosts[3].hostnames[2]: host name 7 is not text",
    `hosts[3].hostnames[3]: host name "${"x".repeat(58)}… is not a DNS name`,
    "hosts[3].ports[0].port: port 70000 is not a number from 0 to 65535",
    'hosts[3].ports[2].protocol: protocol "icmp" is not one of tcp, udp, sctp',
    "hosts[3].ports[3]: no port (hosts[].ports[].port)",
  ]);
  assert.equal(m.skipped, 9);
});

test("caps: hosts, services and findings past their limit, problems past theirs, and a walk that stops", () => {
  const many = { hosts: Array.from({ length: 30 }, (_, i) => ({ ip: `10.0.${i}.1`, ports: [port(23, "open", "telnet"), port(21, "open", "ftp")] })) };
  const m = mapDocument(many, mappingsFor(PORT_OS, NMAP), { limits: { hosts: 10, services: 15, findings: 12, problems: 3 } });
  assert.equal(m.hosts.length, 10);
  assert.equal(m.services.length, 15);
  assert.equal(m.findings.length, 12);
  assert.equal(m.problems.length, 3, "problems kept");
  // 20 hosts and 5 services not mapped, and the findings: 40 on those hosts, 5 on those services, 3 past their cap
  assert.equal(m.skipped, 20 + 5 + 40 + 5 + 3);
  const walked = mapDocument(many, mappingsFor(PORT_OS, NMAP), { limits: { visited: 200 } });
  assert.ok(walked.hosts.length < 30);
  assert.match(walked.problems.at(-1)!, /larger than a mapping reads \(200 items and fields\)/);
});

test("in one document, a host met twice merges its names; a service and a finding met twice count once", () => {
  const doc = {
    hosts: [
      { ip: "10.0.0.1", hostnames: ["a.test"], ports: [port(23, "open", "telnet")] },
      { ip: "10.0.0.1", hostnames: ["b.test", "a.test"], ports: [port(23, "open", "telnet"), port(23, "open", "telnet", { protocol: "udp" })] },
    ],
  };
  const m = mapDocument(doc, mappingsFor(PORT_OS, NMAP));
  assert.deepEqual(m.hosts.map((h) => h.names), [["a.test", "b.test"]]);
  assert.deepEqual(m.services.map((s) => `${s.port}/${s.protocol}`), ["23/tcp", "23/udp"]);
  assert.deepEqual(m.findings.map((f) => f.evidence.path), ["hosts[0].ports[0]", "hosts[1].ports[1]"]);
});

test("a finding whose asset is not mapped is refused with the reason", () => {
  const d = declaredMappings({
    assets: [{ schema: "s/x.y@1", hosts: "hosts[]", address: "hosts[].ip", services: "hosts[].ports[]", port: "hosts[].ports[].port", state: "hosts[].ports[].state" }],
    findings: [{ schema: "s/x.y@1", each: "hosts[].ports[]", key: "k", title: "t", severity: "low", asset: "service" }],
  });
  const m = mapDocument({ hosts: [{ ip: "10.0.0.1", ports: [{ port: 1, state: "closed" }, { port: 2, state: "open" }] }, { ip: "bad", ports: [{ port: 3 }] }] }, mappingsFor("s/x.y@1", d));
  assert.deepEqual(m.findings.map((f) => f.asset), [{ kind: "service", address: "10.0.0.1", protocol: "tcp", port: 2 }]);
  assert.ok(m.problems.includes('hosts[0].ports[0]: finding k: its service 1/tcp on 10.0.0.1 is not one (state "closed")'), m.problems.join("\n"));
  assert.ok(m.problems.includes('hosts[1].ports[0]: finding k: its host: "bad" is not an IP address'), m.problems.join("\n"));
});

test("templates: braces escape, lists join, objects are JSON, missing is empty, a key reading nothing is refused", () => {
  const d = declaredMappings({
    findings: [
      { schema: "s/t.t@1", key: "{{{id}}}", title: "{tags} {meta} {missing}|", severity: "info" },
      { schema: "s/t.t@1", key: "{absent}", title: "t", severity: "info" },
    ],
  });
  assert.deepEqual(d.problems, []);
  const m = mapDocument({ id: 7, tags: ["a", "b"], meta: { x: 1 } }, mappingsFor("s/t.t@1", d));
  assert.deepEqual(m.findings.map((f) => [f.key, f.title]), [["{7}", 'a, b {"x":1} |']]);
  assert.deepEqual(m.problems, ["finding {absent}: its key reads as nothing"]);
});

test("declarations that break the rules are left out with the reason, the sound ones kept", () => {
  const d = declaredMappings({
    assets: [
      { schema: "a/b.ok@1", address: "ip" },
      { schema: "a/b.ok@1", address: "addr" },
      { schema: "a/b.nohost@1", hosts: "hosts[]" },
      { schema: "a/b.outside@1", hosts: "hosts[]", address: "ip" },
      { schema: "a/b.badpath@1", address: "a..b" },
      { schema: "a|b", address: "ip" },
      "not an object",
    ],
    findings: [
      { schema: "a/b.ok@1", key: "k", title: "t", severity: "{sev}", severities: { ERROR: "high" } },
      { schema: "a/b.ok@1", key: "k", title: "again", severity: "low" },
      { schema: "a/b.ok@1", key: "k2", title: "t", severity: "low", asset: "service" },
      { schema: "a/b.ok@1", key: "{a b}", title: "t", severity: "low" },
      { schema: "a/b.ok@1", key: "k3", title: "t", severity: "low", severities: { x: "severe" } },
      { schema: "a/b.ok@1", key: "k4", title: "t", severity: "low", where: [{ path: "a[]", in: [1] }] },
      { schema: "a/b.ok@1", key: "k5", title: "t", severity: "low", where: [{ path: "a", in: [] }] },
    ],
  });
  assert.deepEqual(d.assets.map((a) => a.schema), ["a/b.ok@1"]);
  assert.deepEqual(d.findings.map((f) => [f.key, f.severities]), [["k", { error: "high" }]]);
  assert.equal(d.problems.length, 12, d.problems.join("\n"));
  assert.ok(d.problems.includes("a second asset mapping of a/b.ok@1 is left out"));
  assert.ok(d.problems.includes("an asset mapping is left out: maps neither hosts (address) nor web origins (origins); hosts and services need the host's address"));
  assert.ok(d.problems.includes("a finding mapping is left out: key: {a b} is not a field path"));
  assert.ok(d.problems.includes("a finding mapping is left out: severities.x: Invalid option: expected one of \"info\"|\"low\"|\"medium\"|\"high\"|\"critical\""), d.problems.join("\n"));
  assert.ok(d.problems.includes("an asset mapping is left out: address ip does not lie in each host (hosts[])"));
  assert.ok(d.problems.includes("the finding mapping k2 of a/b.ok@1 is left out: it asks for the service, but the schema's asset mapping maps no services"));
  assert.ok(d.problems.includes("a second finding mapping k of a/b.ok@1 is left out"));
  assert.deepEqual(declaredMappings(null), { assets: [], findings: [], problems: [] });
  assert.deepEqual(declaredMappings({ assets: "x", findings: 3 }), { assets: [], findings: [], problems: [] });
});

test("nothing declared for a collection maps nothing", () => {
  const none: CollectionMappings = { assets: null, findings: [] };
  const m = mapDocument(NMAP_DOC, none, { rows: true });
  assert.deepEqual([m.hosts, m.services, m.origins, m.findings, m.rows, m.problems], [[], [], [], [], [], []]);
});
