import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { standInHub } from "../test/stand-in-hub.ts";
import { CliError } from "./hub.ts";
import { secretParams, secretsCommand, SecretsUsageError, valueOf } from "./secrets.ts";

const hub = standInHub();
const { seen, cfg } = hub;

const shodan = { id: "shodan-id-0123456789ab", name: "SHODAN", description: "", roles: ["owner", "operator"], personal: false, lastUsedAt: null, usable: true };
const stdin = (text: string, tty = false) => Object.assign(Readable.from([Buffer.from(text)]), { isTTY: tty }) as unknown as NodeJS.ReadStream;

test("set reads the value from standard input (one trailing newline dropped) and adds, or replaces by name", async () => {
  seen.length = 0;
  hub.reply = (method) => (method === "GET" ? [200, { secrets: [] }] : [201, { ...shodan, name: "NEW" }]);
  const lines: unknown[] = [];
  assert.equal(await secretsCommand(["set", "acme", "NEW", "--roles", "owner"], (v) => lines.push(v), cfg, stdin("v4lue-from-stdin\n")), 0);
  assert.deepEqual(seen[1], { method: "POST", url: "/api/projects/acme/secrets", body: { name: "NEW", value: "v4lue-from-stdin", roles: ["owner"] } });
  assert.match(String(lines[0]), /added secret NEW of acme/);
  seen.length = 0;
  hub.reply = (method) => (method === "GET" ? [200, { secrets: [shodan] }] : [200, shodan]);
  await secretsCommand(["set", "acme", "SHODAN"], () => undefined, cfg, stdin("line one\nline two\n"));
  assert.deepEqual(seen[1], { method: "PATCH", url: `/api/projects/acme/secrets/${shodan.id}`, body: { value: "line one\nline two" } });
  assert.equal(valueOf("a\r\n"), "a");
});

test("a value never comes from the command line: a terminal on standard input is refused", async () => {
  await assert.rejects(secretsCommand(["set", "acme", "X"], () => undefined, cfg, stdin("", true)), SecretsUsageError);
  await assert.rejects(secretsCommand(["set", "acme", "X", "the-value"], () => undefined, cfg, stdin("v")), SecretsUsageError);
});

test("list and delete by name", async () => {
  seen.length = 0;
  hub.reply = (method) => (method === "GET" ? [200, { secrets: [shodan] }] : [200, { deleted: shodan.id }]);
  const lines: unknown[] = [];
  await secretsCommand(["list", "acme"], (v) => lines.push(v), cfg);
  assert.match(String(lines[0]), /^SHODAN\s+used by owner, operator\s+never used/);
  await secretsCommand(["delete", "acme", "SHODAN"], (v) => lines.push(v), cfg);
  assert.equal(seen.at(-1)!.url, `/api/projects/acme/secrets/${shodan.id}`);
  await assert.rejects(secretsCommand(["delete", "acme", "NOPE"], () => undefined, cfg), CliError);
});

test("--param key=secret:NAME becomes the reference of the run's project's secret, else the caller's own", async () => {
  const mine = { ...shodan, id: "mine-id-0123456789abcd", name: "MINE", personal: true };
  hub.reply = (_m, url) => (url === "/api/me" ? [200, { user: { username: "alice" } }] : url.startsWith("/api/projects/acme/") ? [200, { secrets: [shodan] }] : [200, { secrets: [mine] }]);
  const args = await secretParams(cfg, { key: "secret:SHODAN", own: "secret:MINE", q: "x" }, "acme");
  assert.deepEqual(args, { key: { $lev: "secret", id: shodan.id }, own: { $lev: "secret", id: mine.id }, q: "x" });
  await assert.rejects(secretParams(cfg, { key: "secret:NOPE" }, "acme"), /no secret named NOPE/);
});
