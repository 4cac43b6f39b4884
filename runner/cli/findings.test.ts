import assert from "node:assert/strict";
import { test } from "node:test";
import { standInHub } from "../test/stand-in-hub.ts";
import { CliError } from "./hub.ts";
import { assetsCommand, findingsCommand, findingsText, FindingsUsageError, hostsText, triageCommand } from "./findings.ts";

const hub = standInHub();
const { seen, cfg } = hub;

const capture = () => {
  const lines: unknown[] = [];
  return { lines, out: (v: unknown) => lines.push(v) };
};

const HOSTS = {
  items: [
    { address: "10.231.0.2", names: ["web.lab"], serviceCount: 3, openFindings: 1, lastRun: { number: 4 } },
    { address: "10.231.0.3", names: [], serviceCount: 1, openFindings: 0, lastRun: null },
  ],
  next: "abc",
};
const FINDINGS = {
  items: [{ id: "12", title: "Docker Engine API port without TLS reachable: 2375/tcp", severity: "high", state: "confirmed", stateBy: "bob", asset: { label: "10.231.0.2:2375/tcp" }, tool: "szczecin.nmap_python" }],
  next: null,
};

test("assets and findings reach the project's routes with the filters as the query; the text names each item", async () => {
  seen.length = 0;
  hub.reply = (_m, url) => [200, url.includes("/assets/") ? HOSTS : FINDINGS];
  const { lines, out } = capture();
  assert.equal(await assetsCommand(["--project", "pentest", "--search", "10.231.0.0/24", "--port", "22"], out, cfg), 0);
  assert.equal(await findingsCommand(["--project", "pentest", "--severity", "high,critical", "--state", "open"], out, cfg), 0);
  await findingsCommand(["--project", "pentest", "--json"], out, cfg);
  assert.deepEqual(
    seen.map((s) => [s.method, s.url]),
    [
      ["GET", "/api/projects/pentest/assets/hosts?q=10.231.0.0%2F24&port=22"],
      ["GET", "/api/projects/pentest/findings?severity=high%2Ccritical&state=open"],
      ["GET", "/api/projects/pentest/findings"],
    ],
  );
  assert.equal(lines[0], "10.231.0.2  (web.lab)  3 services  1 open finding  run #4\n10.231.0.3  1 service  0 open findings\n… more: --after abc");
  assert.equal(lines[1], "#12  high  confirmed (bob)  10.231.0.2:2375/tcp  Docker Engine API port without TLS reachable: 2375/tcp  [szczecin.nmap_python]");
  assert.deepEqual(lines[2], FINDINGS);
  assert.equal(hostsText({ items: [], next: null }), "no hosts");
  assert.equal(findingsText({ items: [], next: null }), "no findings");
});

test("triage sends the numbers, the state and the note in one PATCH; the hub's refusal is the CLI's error", async () => {
  seen.length = 0;
  hub.reply = () => [200, { changed: 2, unchanged: 1 }];
  const { lines, out } = capture();
  assert.equal(await triageCommand(["--project", "pentest", "#12", "13", "14", "--state", "false_positive", "--note", "lab host"], out, cfg), 0);
  assert.deepEqual(seen.map((s) => [s.method, s.url, s.body]), [["PATCH", "/api/projects/pentest/findings", { ids: ["12", "13", "14"], state: "false_positive", note: "lab host" }]]);
  assert.equal(lines[0], "2 changed, 1 already so");

  hub.reply = () => [404, { error: { code: "not_found", message: "no finding 99 in project pentest: nothing was changed" } }];
  await assert.rejects(triageCommand(["--project", "pentest", "99", "--state", "fixed"], out, cfg), (e: Error) => e instanceof CliError && /no finding 99/.test(e.message));
  hub.reply = () => [200, { surprise: true }];
  await assert.rejects(triageCommand(["--project", "pentest", "1", "--state", "fixed"], out, cfg), CliError);
});

test("usage errors: no project, no state, no numbers, a number that is none, stray arguments", async () => {
  seen.length = 0;
  const { out } = capture();
  await assert.rejects(assetsCommand([], out, cfg), FindingsUsageError);
  await assert.rejects(assetsCommand(["--project", "p", "extra"], out, cfg), FindingsUsageError);
  await assert.rejects(findingsCommand(["--state", "open"], out, cfg), FindingsUsageError);
  await assert.rejects(triageCommand(["--project", "p", "12"], out, cfg), FindingsUsageError);
  await assert.rejects(triageCommand(["--project", "p", "--state", "fixed"], out, cfg), FindingsUsageError);
  await assert.rejects(triageCommand(["--project", "p", "12x", "--state", "fixed"], out, cfg), FindingsUsageError);
  assert.equal(seen.length, 0, "nothing reached the hub");
});
