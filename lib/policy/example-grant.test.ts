import assert from "node:assert/strict";
import { test } from "node:test";
import type { ManifestFunction } from "../../runner/src/manifest/introspect.ts";
import { exampleGrant } from "./example-grant.ts";

const fn = (qualified: string, privileges: Partial<NonNullable<ManifestFunction["privileges"]>> | null, kind: "mode" | "workflow" = "mode", params = ["ip"]): ManifestFunction =>
  ({
    name: qualified.split(".").at(-1)!,
    qualified,
    module: "lev.szczecin.nmap_python.nmap",
    kind,
    params: params.map((name) => ({ name, type: "str", required: true, default: null, desc: null, holder: null })),
    ...(privileges ? { privileges: { hostNetwork: false, caps: [], images: [], services: false, ports: [], ...privileges } } : {}),
  }) as unknown as ManifestFunction;

test("the nmap example: the run's bridge with NET_RAW for the functions that ask, named; raw left out", () => {
  const g = exampleGrant({
    modes: [fn("nmap.raw", { hostNetwork: true }, "mode", ["argv"]), fn("nmap.alive", { hostNetwork: true }), fn("nmap.port_os", { hostNetwork: true })],
    workflows: [fn("server_port", { hostNetwork: true }, "workflow"), fn("hello", {}, "workflow"), fn("old", null, "workflow")],
  });
  assert.deepEqual(g, { network: "bridge", caps: ["NET_RAW"], modes: ["nmap.alive", "nmap.port_os", "server_port"] });
});

test("capabilities asked for are granted as asked (grantable ones only), without a network when none is asked", () => {
  assert.deepEqual(exampleGrant({ modes: [fn("t.bind", { caps: ["NET_BIND_SERVICE", "SYS_ADMIN"] })], workflows: [] }), { network: "none", caps: ["NET_BIND_SERVICE"], modes: ["t.bind"] });
});

test("nothing asked (or only by a raw mode): no grant", () => {
  assert.equal(exampleGrant({ modes: [fn("greet.hello", {})], workflows: [] }), null);
  assert.equal(exampleGrant({ modes: [fn("nmap.raw", { hostNetwork: true }, "mode", ["argv"])], workflows: [] }), null);
});
