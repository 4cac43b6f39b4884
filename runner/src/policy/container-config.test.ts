import assert from "node:assert/strict";
import { test } from "node:test";
import {
  grantedCaps,
  helperSandbox,
  isImageId,
  mayPull,
  NOBODY,
  pinnedRef,
  registryOf,
  resolveImage,
  segmentNetwork,
  taskWeight,
  toolContainerConfig,
  workflowContainerConfig,
  type ContainerFacts,
  type RunFacts,
} from "./container-config.ts";
import { LABEL } from "../engine/labels.ts";
import { runFacts } from "./test-facts.ts";
import { defaultRunLimits, localPolicy, restrictedPolicy, type RunPolicy } from "./policy.ts";
import { crSpecSchema, type CrSpec } from "../channel/spec.ts";

const PY = "levhub/python:bookworm";
const NMAP = "levhub/nmap:bookworm";
const images = { refs: { ".alice.scanner": "sha256:aaa", "exact/ref:1": "sha256:bbb" }, base: [PY, NMAP], any: false };
const restricted = restrictedPolicy(images);
/** the default grant: host=True on the run's own bridge, with NET_RAW */
const granted = (over: Partial<RunPolicy> = {}): RunPolicy => ({ ...restricted, network: "bridge", caps: ["NET_RAW"], ...over });
const hostGrant = (over: Partial<RunPolicy> = {}): RunPolicy => granted({ network: "host", ...over });
const SEGMENT = { parent: "eth1", subnet: "192.168.1.0/24", ipRange: "192.168.1.240/28" };

const run: RunFacts = runFacts();
const facts = (over: Partial<ContainerFacts> = {}): ContainerFacts => ({
  name: "lev-r1-t1",
  role: "tool",
  task: 1,
  chanDir: "/runs/r1/tasks/1/tool/chan",
  files: [],
  aliases: ["lev-t1"],
  links: [],
  extraHosts: [],
  taskTimeoutMs: 60_000,
  ...over,
});
const cr = (over: Record<string, unknown> = {}): CrSpec => crSpecSchema.parse({ image: PY, schema: "a/b.c", ...over });

function config(c: CrSpec, policy: RunPolicy = restricted, f: ContainerFacts = facts()) {
  const r = toolContainerConfig(c, policy, run, f);
  if (!r.ok) assert.fail(`refused: ${r.error.type}: ${r.error.message}`);
  return r.value;
}
function refusal(c: CrSpec, policy: RunPolicy = restricted, onRun: RunFacts = run) {
  const r = toolContainerConfig(c, policy, onRun, facts());
  assert.equal(r.ok, false, "expected a refusal");
  return (r as { ok: false; error: { type: string; message: string } }).error;
}

test("by default a tool container is unprivileged, read-only, bounded and labelled", () => {
  const { spec, timeoutMs, hostMode } = config(cr());
  assert.equal(spec.image, PY);
  assert.equal(spec.user, NOBODY);
  assert.deepEqual(spec.capAdd, []);
  assert.equal(spec.readOnlyRoot, true);
  assert.deepEqual(spec.tmpfs, { "/tmp": `rw,nosuid,nodev,size=${defaultRunLimits().tmpBytes}` });
  assert.ok(spec.env.includes("HOME=/tmp"));
  assert.equal(spec.network, "bridge");
  assert.deepEqual(spec.limits, defaultRunLimits().tool);
  assert.equal(spec.logMaxBytes, defaultRunLimits().dockerLogBytes);
  assert.equal(hostMode, false);
  assert.equal(timeoutMs, 60_000);
  assert.equal(spec.labels[LABEL.run], "r1");
  assert.equal(spec.labels[LABEL.role], "tool");
  assert.equal(spec.labels[LABEL.task], "1");
  assert.equal(spec.labels[LABEL.owner], "alice");
  // no host directory the container can write: every bind is read-only
  assert.deepEqual(spec.binds, ["/rt:/lev/rt:ro", "/pkgs/alice.scanner:/lev/pkg:ro", "/runs/r1/tasks/1/tool/chan:/lev/chan:ro"]);
  assert.ok(spec.env.includes("LEV_CHANNEL=/lev/chan/lev.sock"));
  assert.ok(spec.env.includes("LEV_TASK=1"));
  assert.ok(!spec.env.some((e) => e.startsWith("LEV_OUT")));
});

test("limits come from the run's policy", () => {
  const limits = { ...defaultRunLimits(), tmpBytes: 1234, dockerLogBytes: 999, tool: { memoryBytes: 1, nanoCpus: 2, pids: 3 } };
  const { spec } = config(cr(), restrictedPolicy(images, limits));
  assert.deepEqual(spec.limits, { memoryBytes: 1, nanoCpus: 2, pids: 3 });
  assert.match(spec.tmpfs!["/tmp"], /size=1234$/);
  assert.equal(spec.logMaxBytes, 999);
});

test("image: package refs resolve through refs only, other names through refs, base, or any", () => {
  assert.equal(resolveImage(".alice.scanner:1.0", images), "sha256:aaa");
  assert.equal(resolveImage(".Alice.Scanner", images), "sha256:aaa", "package refs are case-insensitive");
  assert.equal(resolveImage(".bob.secret", images), null);
  assert.equal(resolveImage(".bob.secret", { ...images, any: true }), null, "any never opens another package's image");
  assert.equal(resolveImage("exact/ref:1", images), "sha256:bbb");
  assert.equal(resolveImage(NMAP, images), NMAP);
  assert.equal(resolveImage("levpkg/bob.secret:1.0", images), null);
  assert.equal(resolveImage("alpine:3", images), null);
  assert.equal(resolveImage("alpine:3", { ...images, any: true }), "alpine:3");
  assert.equal(resolveImage("constructor", images), null, "no prototype keys");
});

test("image: one message whatever the reason it is unavailable; what it adds depends on the reference's form only", () => {
  for (const image of ["levpkg/bob.secret:1.0", "alpine:3"]) {
    assert.deepEqual(refusal(cr({ image })), { type: "ImageNotFound", message: `image '${image}' is not available to this run` });
  }
  // Leviathan's private form: the same words whether bob.secret is missing, private or has no build
  for (const image of [".bob.secret:1", ".nobody.nothing:v1.0"]) {
    const pkg = image.slice(1).split(":")[0];
    assert.deepEqual(refusal(cr({ image })), {
      type: "ImageNotFound",
      message: `image '${image}' is not available to this run: it names the image built from the Dockerfile of package ${pkg}, and no version of ${pkg} this run may use has one`,
    });
  }
  assert.equal(config(cr({ image: ".alice.scanner:2" })).spec.image, "sha256:aaa");
});

test("image ids (as Leviathan's guide writes them after docker build) resolve only through aliases, or locally with any", () => {
  const ids = ["86cf12987", "2746dc3d57b0", "a".repeat(64), "sha256:" + "b".repeat(64)];
  for (const id of ids) {
    assert.equal(isImageId(id), true, id);
    assert.equal(resolveImage(id, images), null);
    assert.match(refusal(cr({ image: id })).message, new RegExp(`^image '${id}' is not available to this run: it is an image id, .*alias it`));
    assert.equal(resolveImage(id, { ...images, aliases: { [id]: PY } }), PY, "an admin's alias");
    assert.equal(resolveImage(id, { ...images, any: true }), id, "lev exec: the local engine's image");
    assert.equal(mayPull(id, { ...images, pull: ["docker.io"] }), false, "never pulled from Docker Hub as a name");
  }
  for (const name of ["alpine", "deadbeef", "86cf1298g", "sha256:abc", "library/86cf12987"]) assert.equal(isImageId(name), false, name);
});

test("host=True needs a network grant", () => {
  const e = refusal(cr({ host: true }));
  assert.equal(e.type, "PolicyDenied");
  assert.equal(
    e.message,
    "Cr(host=True): host networking is not granted to this package; an admin can grant it (Admin → Policy)",
  );
});

test("host=True under the default grant: the run's own bridge as root with NET_RAW, never the host's or the shared bridge", () => {
  const { spec, hostMode, segment } = config(cr({ host: true }), granted());
  assert.equal(spec.network, "lev-r1");
  assert.equal(hostMode, false, "ports are probed on the container's own address");
  assert.equal(segment, undefined);
  assert.deepEqual(spec.capAdd, ["NET_RAW"]);
  assert.equal(spec.user, "0:0");
  assert.deepEqual(spec.aliases, ["lev-t1"]);
  // a capability without host=True: never on Docker's shared default bridge either
  assert.equal(config(cr({ caps: ["NET_RAW"] }), granted()).spec.network, "lev-r1");
  assert.equal(config(cr({ host: true }), granted({ caps: [] })).spec.network, "lev-r1", "bridge without NET_RAW: unprivileged, on the run's network");
});

test("host=True under a host grant: the host's network, refused where the engine's machine runs the hub unless the admin allowed it", () => {
  const off = { ...run, hubMachine: false };
  const { spec, hostMode } = config(cr({ host: true }), hostGrant(), facts());
  assert.equal(spec.network, "host");
  assert.equal(hostMode, true);
  const onHub = { ...run, hubMachine: true };
  const e = refusal(cr({ host: true }), hostGrant(), onHub);
  assert.equal(e.type, "PolicyDenied");
  assert.match(e.message, /^Cr\(host=True\): this package is granted the host's network, which is refused on this engine because its machine runs the hub/);
  assert.match(e.message, /turn on 'host networking on the hub's machine \(unsafe\)'/);
  assert.equal(refusal(cr({ host: true }), hostGrant(), { ...run, hubMachine: undefined }).type, "PolicyDenied", "unknown counts as the hub's machine");
  const r = toolContainerConfig(cr({ host: true }), hostGrant({ hostNetworkOnHubMachine: true }), onHub, facts());
  assert.ok(r.ok && r.value.spec.network === "host", "the admin's unsafe setting");
  assert.ok(toolContainerConfig(cr({ host: true }), hostGrant(), off, facts()).ok);
  // the unsafe setting widens nothing else: a bridge grant stays on the bridge
  assert.equal(config(cr({ host: true }), granted({ hostNetworkOnHubMachine: true })).spec.network, "lev-r1");
});

test("host=True under a macvlan grant: the segment's network (created on demand), no services or links there", () => {
  const { spec, hostMode, segment } = config(cr({ host: true }), granted({ network: "macvlan", macvlan: SEGMENT }));
  assert.equal(spec.network, segmentNetwork(SEGMENT));
  assert.match(spec.network, /^levhub-lan-eth1-[0-9a-f]{10}$/);
  assert.equal(hostMode, false);
  assert.deepEqual(segment, SEGMENT);
  assert.deepEqual(spec.capAdd, ["NET_RAW"]);
  assert.notEqual(segmentNetwork(SEGMENT), segmentNetwork({ ...SEGMENT, ipRange: "192.168.1.224/28" }), "another segment, another network");
  const lan = granted({ network: "macvlan", macvlan: SEGMENT });
  assert.match(refusal(cr({ host: true, services: { db: { image: PY, schema: "s" } } }), lan).message, /cannot have services or links/);
  assert.match(refusal(cr({ host: true, links: { p: "lev-t2" } }), lan).message, /cannot have services or links/);
  assert.match(refusal(cr({ host: true }), granted({ network: "macvlan" })).message, /names no LAN segment/);
});

test("host=True asks NET_RAW implicitly; without that grant the tool runs unprivileged", () => {
  const withRaw = config(cr({ host: true }), granted()).spec;
  assert.deepEqual(withRaw.capAdd, ["NET_RAW"]);
  assert.equal(withRaw.user, "0:0", "Docker gives a non-root user no effective capability");
  const without = config(cr({ host: true }), granted({ caps: [] })).spec;
  assert.deepEqual(without.capAdd, []);
  assert.equal(without.user, NOBODY);
});

test("caps: each must be granted; never-grantable ones say so", () => {
  const e = refusal(cr({ caps: ["NET_RAW"] }));
  assert.equal(e.type, "PolicyDenied");
  assert.match(e.message, /capability NET_RAW is not granted to this package; an admin can grant it/);
  const sys = refusal(cr({ caps: ["SYS_ADMIN"] }), granted());
  assert.match(sys.message, /SYS_ADMIN is not granted.*only NET_RAW, NET_ADMIN, NET_BIND_SERVICE can ever be granted/);
  const ok = config(cr({ caps: ["NET_ADMIN", "NET_ADMIN"] }), granted({ caps: ["NET_ADMIN"] })).spec;
  assert.deepEqual(ok.capAdd, ["NET_ADMIN"]);
  assert.equal(ok.user, "0:0");
  assert.deepEqual(grantedCaps(cr({ host: true, caps: ["NET_RAW"] }), granted()), { ok: true, value: ["NET_RAW"] });
});

test("cmd and entry: an image's own program gets docker-init; an entry runs levrt._tool", () => {
  const own = config(cr({ cmd: ["nmap", "-sn", "127.0.0.1"] })).spec;
  assert.deepEqual(own.cmd, ["nmap", "-sn", "127.0.0.1"]);
  assert.equal(own.entrypoint, undefined);
  assert.equal(own.init, true);
  assert.ok(!own.env.some((e) => e.startsWith("LEV_ENTRY=")));
  const entry = { builder: { module: "lev.alice.scanner.tool", qualname: "scan", args: ["x"], kwargs: {} }, path: [] };
  const withEntry = config(cr({ cmd: ["ignored"], entry })).spec;
  assert.deepEqual(withEntry.cmd, []);
  assert.deepEqual(withEntry.entrypoint?.slice(0, 2), ["python3", "-c"]);
  assert.equal(withEntry.init, false);
  assert.ok(withEntry.env.includes(`LEV_ENTRY=${JSON.stringify(entry)}`));
});

test("env: the author's entries come first so the runner's own variables win", () => {
  const { spec } = config(cr({ env: ["A=1", "LEV_TASK=99", "HOME=/root"] }));
  assert.equal(spec.env[0], "A=1");
  const last = (k: string) => spec.env.filter((e) => e.startsWith(`${k}=`)).at(-1);
  assert.equal(last("LEV_TASK"), "LEV_TASK=1");
  assert.equal(last("HOME"), "HOME=/tmp");
});

test("files: each runner-written file is mounted read-only at its path", () => {
  const { spec } = config(
    cr({ files: { "/etc/x": { b64: "" } } }),
    restricted,
    facts({ files: [{ host: "/runs/r1/tasks/1/tool/files/file-0", target: "/etc/x" }] }),
  );
  assert.ok(spec.binds.includes("/runs/r1/tasks/1/tool/files/file-0:/etc/x:ro"));
  assert.ok(spec.binds.every((b) => b.endsWith(":ro")));
});

test("network: services, tasks with services or links use the run's network; others the bridge", () => {
  assert.equal(config(cr({ services: { db: { image: PY, schema: "a/b.db" } } })).spec.network, "lev-r1");
  assert.equal(config(cr({ links: { proxy: "lev-t2" } }), restricted, facts({ links: ["lev-r1-t2:proxy"] })).spec.network, "lev-r1");
  assert.equal(config(cr(), restricted, facts({ role: "service", aliases: ["db"] })).spec.network, "lev-r1");
  assert.equal(config(cr()).spec.network, "bridge");
});

test("network: Cr(offline=True) gets none, privileged or not; with host, links, ports or services it is refused", () => {
  assert.equal(config(cr({ offline: true })).spec.network, "none");
  assert.equal(config(cr({ offline: true, caps: ["NET_RAW"] }), granted()).spec.network, "none");
  for (const over of [{ host: true }, { links: { proxy: "lev-t2" } }, { ports: [80] }, { services: { db: { image: PY, schema: "a/b.db" } } }]) {
    const e = refusal(cr({ offline: true, ...over }), granted());
    assert.equal(e.type, "PolicyDenied");
    assert.match(e.message, /offline=True\) has no network/);
  }
  assert.equal(config(cr({ offline: false })).spec.network, "bridge");
});

test("a scoped run: every tool and service container on the run's own bridge; the host's network and LAN segments refused", () => {
  const scope = { v4: { allow: [{ cidr: "10.0.0.0/24" }], exclude: [] }, v6: { allow: [], exclude: [] }, names: { allow: [], exclude: [] }, services: [] };
  assert.equal(config(cr(), { ...restricted, scope }).spec.network, "lev-r1", "even an ungranted tool: no default bridge beside the rules");
  assert.equal(config(cr({ host: true }), granted({ scope })).spec.network, "lev-r1");
  assert.equal(config(cr(), { ...restricted, scope }, facts({ role: "service", aliases: ["db"] })).spec.network, "lev-r1");
  assert.match(refusal(cr({ host: true }), hostGrant({ scope, hostNetworkOnHubMachine: true })).message, /scope.*host's network/);
  assert.match(refusal(cr({ host: true }), granted({ scope, network: "macvlan", macvlan: SEGMENT })).message, /scope.*LAN segment/);
  assert.equal(config(cr({ host: true }), hostGrant({ scope, hostNetworkOnHubMachine: true, scopeAllowsHostNetwork: true })).spec.network, "host", "the owner allowed it: unenforced");
});

test("links: docker links on a bridge, extra hosts on the host network", () => {
  const bridged = config(cr({ links: { proxy: "lev-t2" } }), restricted, facts({ links: ["lev-r1-t2:proxy"] })).spec;
  assert.deepEqual(bridged.links, ["lev-r1-t2:proxy"]);
  assert.deepEqual(config(cr({ host: true, links: { proxy: "lev-t2" } }), granted(), facts({ links: ["lev-r1-t2:proxy"] })).spec.links, ["lev-r1-t2:proxy"], "host=True on the run's bridge links like any task");
  const host = config(
    cr({ host: true, links: { proxy: "lev-t2" } }),
    hostGrant(),
    facts({ links: ["lev-r1-t2:proxy"], extraHosts: ["proxy:10.0.0.2"] }),
  ).spec;
  assert.deepEqual(host.links, []);
  assert.deepEqual(host.extraHosts, ["proxy:10.0.0.2"]);
});

test("ports, aliases and service role", () => {
  const { spec } = config(cr({ ports: [8000] }), restricted, facts({ role: "service", name: "lev-r1-t1-db", aliases: ["db"] }));
  assert.deepEqual(spec.aliases, ["db"]);
  assert.equal(spec.labels[LABEL.role], "service");
  assert.equal(spec.name, "lev-r1-t1-db");
});

test("services: a task counts one container per service; each service is checked like a tool", () => {
  const task = cr({ services: { a: { image: PY, schema: "a/b.a" }, b: { image: PY, schema: "a/b.b", host: true } } });
  assert.equal(taskWeight(task), 3);
  assert.equal(taskWeight(cr()), 1);
  assert.equal(refusal(task.services.b).type, "PolicyDenied");
});

test("timeout: a Cr may ask for less than the runner's limit, never more", () => {
  assert.equal(config(cr({ timeout: 5 })).timeoutMs, 5000);
  assert.equal(config(cr({ timeout: 3600 })).timeoutMs, 60_000);
  assert.equal(config(cr({ timeout: null })).timeoutMs, 60_000);
});

test("schema does not change the container", () => {
  assert.deepEqual(config(cr({ schema: "x/y.z@2" })).spec, config(cr()).spec);
});

test("localPolicy (lev exec): what a hub's default grant gives, any local image; --host-network the host's network", () => {
  const { spec } = config(cr({ image: "alpine:3", host: true }), localPolicy());
  assert.equal(spec.image, "alpine:3");
  assert.equal(spec.network, "lev-r1");
  assert.deepEqual(spec.capAdd, ["NET_RAW"]);
  assert.equal(spec.readOnlyRoot, true, "still read-only and capped");
  assert.equal(config(cr({ host: true }), localPolicy(undefined, "host")).spec.network, "host");
});

test("the workflow container: nothing but the channel", () => {
  const spec = workflowContainerConfig(restricted, run, { chanDir: "/runs/r1/chan", function: "main", args: { a: 1 } });
  assert.equal(spec.image, PY);
  assert.equal(spec.user, NOBODY);
  assert.equal(spec.network, "none");
  assert.deepEqual(spec.capAdd, []);
  assert.equal(spec.readOnlyRoot, true);
  assert.equal(spec.logMaxBytes, defaultRunLimits().dockerLogBytes);
  assert.deepEqual(spec.limits, defaultRunLimits().workflow);
  assert.ok(spec.binds.every((b) => b.endsWith(":ro")));
  assert.ok(spec.env.includes(`LEV_CALL=${JSON.stringify({ function: "main", args: { a: 1 } })}`));
  assert.equal(spec.labels[LABEL.role], "workflow");
});

test("aliases come first and stand in for what packages write; the admin's target is trusted", () => {
  const aliased = { ...images, aliases: { "alpine:latest": PY, ".alice.scanner": NMAP } };
  assert.equal(resolveImage("alpine:latest", aliased), PY);
  assert.equal(resolveImage("alpine:latest", images), null, "without the alias: not available");
  assert.equal(resolveImage("alpine:3", aliased), null, "an alias is exact");
  assert.equal(resolveImage(".alice.scanner", aliased), NMAP);
  assert.equal(resolveImage("constructor", { ...images, aliases: {} }), null, "no prototype keys");
});

test("the registry of a reference: a host component, else Docker Hub", () => {
  assert.equal(registryOf("alpine:latest"), "docker.io");
  assert.equal(registryOf("library/alpine"), "docker.io");
  assert.equal(registryOf("joe/tool:1"), "docker.io");
  assert.equal(registryOf("docker.io/library/alpine"), "docker.io");
  assert.equal(registryOf("127.0.0.1:5000/lev/python:x"), "127.0.0.1:5000");
  assert.equal(registryOf("GHCR.io/x/y"), "ghcr.io");
  assert.equal(registryOf("localhost/x"), "localhost");
});

test("pulls only from listed registries, never digests, ids or package images", () => {
  const pull = { ...images, pull: ["127.0.0.1:5000", "docker.io"] };
  assert.equal(mayPull("127.0.0.1:5000/lev/python:x", pull), true);
  assert.equal(resolveImage("127.0.0.1:5000/lev/python:x", pull), "127.0.0.1:5000/lev/python:x", "a listed registry is allowed to every run");
  assert.equal(mayPull("alpine:latest", pull), true);
  assert.equal(mayPull("127.0.0.1:5001/lev/python:x", pull), false, "another port is another registry");
  assert.equal(resolveImage("127.0.0.1:5001/lev/python:x", pull), null);
  assert.equal(mayPull("alpine:latest", { ...images, pull: ["127.0.0.1:5000"] }), false, "Docker Hub only when docker.io is listed");
  assert.equal(mayPull("alpine:latest", images), false, "no list: never");
  assert.equal(mayPull("alpine:latest", { ...images, pull: [] }), false);
  assert.equal(mayPull("sha256:abc", pull), false);
  assert.equal(mayPull("alpine@sha256:" + "a".repeat(64), pull), false, "already pinned");
  assert.equal(mayPull(".alice.scanner", pull), false);
  assert.equal(mayPull("Alpine:latest", pull), false, "not a valid reference");
  assert.equal(mayPull("alpine:latest --x", pull), false);
});

test("a pulled reference is pinned to its repository's digest, else the image id", () => {
  const d = "sha256:" + "d".repeat(64);
  const info = (repoDigests: string[]) => ({ id: "sha256:" + "1".repeat(64), repoDigests });
  assert.equal(pinnedRef("127.0.0.1:5000/lev/python:x", info([`127.0.0.1:5000/lev/python@${d}`])), `127.0.0.1:5000/lev/python@${d}`);
  assert.equal(pinnedRef("alpine:latest", info([`alpine@${d}`])), `alpine@${d}`);
  assert.equal(pinnedRef("alpine:latest", info([`docker.io/library/alpine@${d}`])), `docker.io/library/alpine@${d}`);
  assert.equal(pinnedRef("127.0.0.1:5000/lev/python:x", info([`other/repo@${d}`])), "sha256:" + "1".repeat(64), "another repository's digest is not this one's");
  assert.equal(pinnedRef("127.0.0.1:5000/lev/python", info([])), "sha256:" + "1".repeat(64));
});

test("helper containers (introspection, the planner) get no network, no capability, user 65534, a read-only root", () => {
  const a = helperSandbox();
  assert.deepEqual(
    { user: a.user, network: a.network, capAdd: a.capAdd, readOnlyRoot: a.readOnlyRoot, init: a.init },
    { user: "65534:65534", network: "none", capAdd: [], readOnlyRoot: true, init: true },
  );
  assert.match(a.tmpfs?.["/tmp"] ?? "", /^rw,noexec,nosuid,nodev,size=\d+m$/);
  assert.ok(a.limits.memoryBytes <= 256 * 1024 * 1024 && a.limits.pids <= 64);
  a.capAdd.push("NET_RAW");
  assert.deepEqual(helperSandbox().capAdd, [], "each call is a fresh object");
});
