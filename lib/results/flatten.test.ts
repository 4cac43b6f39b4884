import assert from "node:assert/strict";
import { test } from "node:test";
import { flatColumns, flattenRows, flatValue, parseFlatten } from "./flatten.ts";

const DOC = {
  target: "10.0.0.0/30",
  hosts: [
    { ip: "10.0.0.1", hostnames: ["a.test"], ports: [{ port: 22, state: "open", service: { name: "ssh" } }, { port: 80, state: "closed", service: { name: "http" } }] },
    { ip: "10.0.0.2", hostnames: [], ports: [] },
    { ip: "10.0.0.3" },
  ],
};

test("a flatten path names its lists outermost first; anything else is refused", () => {
  assert.deepEqual(parseFlatten("hosts[].ports[]"), ["hosts", "hosts.ports"]);
  assert.deepEqual(parseFlatten("scan.hosts[]"), ["scan.hosts"]);
  for (const bad of ["hosts", "hosts[].ip", "", "a..b[]", "a b[]", "$where[]"]) assert.equal(parseFlatten(bad), null, bad);
});

test("one row per port, the host repeated; a host without ports and a document without hosts still give a row", () => {
  const lists = parseFlatten("hosts[].ports[]")!;
  const { rows, truncated } = flattenRows(DOC, lists);
  assert.equal(truncated, false);
  const cols = ["target", "hosts.ip", "hosts.ports.port", "hosts.ports.state", "hosts.ports.service.name", "hosts.hostnames"];
  assert.deepEqual(
    rows.map((r) => cols.map((c) => flatValue(DOC, lists, r, c))),
    [
      ["10.0.0.0/30", "10.0.0.1", 22, "open", "ssh", ["a.test"]],
      ["10.0.0.0/30", "10.0.0.1", 80, "closed", "http", ["a.test"]],
      ["10.0.0.0/30", "10.0.0.2", undefined, undefined, undefined, []],
      ["10.0.0.0/30", "10.0.0.3", undefined, undefined, undefined, undefined],
    ],
  );
  assert.deepEqual(flattenRows({ target: "x" }, lists).rows, [[undefined, undefined]]);
  assert.deepEqual(flattenRows({ hosts: "not a list" }, lists).rows, [[undefined, undefined]]);
});

test("a document past the row cap is cut and says so", () => {
  const big = { hosts: Array.from({ length: 30 }, (_, i) => ({ ip: `10.0.0.${i}` })) };
  const { rows, truncated } = flattenRows(big, ["hosts"], 10);
  assert.equal(rows.length, 10);
  assert.equal(truncated, true);
});

test("columns when none are picked: the document's fields and each level's, without the lists", () => {
  assert.deepEqual(flatColumns([DOC], ["hosts", "hosts.ports"]), ["target", "hosts.ip", "hosts.hostnames", "hosts.ports.port", "hosts.ports.state", "hosts.ports.service", "hosts.ports.service.name"]);
});
