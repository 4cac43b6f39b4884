import assert from "node:assert/strict";
import { test } from "node:test";
import { definedIn, isRawCommandLine, modeBuilder } from "./modes.ts";

const param = (name: string) => ({ name, type: "str", required: true, default: null, desc: null, holder: null });

test("a raw command-line mode: a parameter argv (annot.ARGV) or the name raw", () => {
  assert.equal(isRawCommandLine({ name: "raw", params: [param("argv")] }), true);
  assert.equal(isRawCommandLine({ name: "raw", params: [param("args")] }), true);
  assert.equal(isRawCommandLine({ name: "custom", params: [param("target"), param("argv")] }), true);
  assert.equal(isRawCommandLine({ name: "alive", params: [param("ip")] }), false);
  assert.equal(isRawCommandLine({ name: "rawish", params: [param("argvs")] }), false);
});

test("defined in the package: its module or a submodule, never a name prefix or another package", () => {
  assert.equal(definedIn({ module: "lev.szczecin.nmap_python.nmap" }, "szczecin.nmap_python"), true);
  assert.equal(definedIn({ module: "lev.szczecin.nmap_python" }, "Szczecin.Nmap_Python"), true);
  assert.equal(definedIn({ module: "lev.szczecin.nmap_python2.nmap" }, "szczecin.nmap_python"), false);
  assert.equal(definedIn({ module: "lev.joe.tools" }, "szczecin.nmap_python"), false, "imported from another package");
  assert.equal(definedIn({ module: "levrt" }, "szczecin.nmap_python"), false);
});

test("the builder a mode's Crs name", () => {
  assert.equal(modeBuilder({ module: "lev.szczecin.nmap_python.nmap", name: "alive" }), "lev.szczecin.nmap_python.nmap.alive");
});
