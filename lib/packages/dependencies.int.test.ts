/**
 * Packages that build on packages, on the real engines (PostgreSQL, FerretDB, Docker): resolution
 * at upload (the highest visible match; missing, invisible, unmatched, private-under-public,
 * cyclic and conflicting dependencies refused with nothing published), pinned versions and images
 * that later versions never change, a workflow of one namespace running another's tool through
 * the hub, and the HTTP routes `lev add` fetches from.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { ArchiveEntry } from "./archives.ts";
import type { HubManifest, PublishResult, RunDetail, Viewer } from "../types.ts";
import type { RunPolicy } from "../../runner/src/index.ts";

/** The problems an error carries, each as `where: message` (or the message alone). */
const said = (e: { problems?: { where: string; message: string }[] }) => (e.problems ?? []).map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));

let hub: TestHub;
let alice: Viewer;
let bob: Viewer;

type Rejection = { code?: string; message?: string; problems?: { where: string; code: string; message: string }[] };

before(async () => {
  hub = await startTestHub();
  // runs go through the queue: a worker on this machine's engine takes them
  await hub.startWorker();
  const { signUp } = await import("../accounts/users.ts");
  alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  bob = await signUp({ email: "bob@example.org", username: "bob", password: "longenough" });
});
after(async () => {
  await hub?.close();
});

function pyproject(ns: string, name: string, version: string, deps: string[]): string {
  return `[project]\nname = "lev.${ns}.${name}"\nversion = "${version}"\ndependencies = [\n${deps.map((d) => `    ${JSON.stringify(d)},\n`).join("")}]\n`;
}

async function publish(
  who: Viewer,
  ns: string,
  name: string,
  version: string,
  init: string,
  opts: { deps?: string[]; private?: boolean; extra?: ArchiveEntry[] } = {},
): Promise<PublishResult> {
  const { buildZip } = await import("./archives.ts");
  const { publishArchive } = await import("./upload.ts");
  const entries: ArchiveEntry[] = [
    { name: "pyproject.toml", data: pyproject(ns, name, version, opts.deps ?? []) },
    { name: `lev/${ns}/${name}/__init__.py`, data: init },
    ...(opts.extra ?? []),
  ];
  // the packages here are public unless a test says otherwise (a new upload is private by default);
  // `private: undefined` given explicitly is the upload that says nothing (tri-state)
  return publishArchive(who, { filename: `${name}.zip`, data: buildZip(entries) }, { private: "private" in opts ? opts.private : false });
}

/** A tool whose mode stores its package's version (code) and the marker baked into its image. */
function echoInit(ns: string, version: string, image: string): string {
  return `"""Echo: stores the text with the version of the code and of the image that ran it."""
import levrt
from levrt import Cr, annot, ctx

VERSION = ${JSON.stringify(version)}


@levrt.remote
def entry(text):
    try:
        with open("/marker.txt") as f:
            marker = f.read().strip()
    except OSError:
        marker = None
    ctx.set(echo=text, version=VERSION, image=marker)


@annot.meta(desc="Echo a text", params=[annot.Param("text", "what to echo", holder="hi")])
def say(text: str = "hi") -> Cr:
    """Stores the text with this package's version."""
    return Cr(${JSON.stringify(image)}, entry=entry(text))


__lev__ = annot.meta([say], desc="echo (${ns})")
`;
}

const echoDockerfile = (version: string): ArchiveEntry => ({ name: "Dockerfile", data: `FROM levhub/python:bookworm\nRUN echo image-${version} > /marker.txt\n` });

/** A workflow-only package calling `say` of another package. */
function workflowInit(depNs: string, depName: string): string {
  return `"""A workflow built on ${depNs}.${depName}."""
from levrt import annot, ctx

from lev.${depNs}.${depName} import say


@annot.meta(desc="Echo through a published tool", params=[annot.Param("text", "what to echo", holder="hi")])
async def relay(text: str = "hi"):
    """Runs the other package's mode and stores what it stored."""
    doc = await (await say(text)).get()
    ctx.set(relayed=doc)
    return doc


__lev__ = annot.meta([relay], desc="relay")
`;
}

/** A tool with one mode and no dependencies of its own (fillers for the graph tests). */
const plainInit = (label: string) => echoInit("x", label, "levhub/python:bookworm");

async function versionCount(ns: string, name: string): Promise<number> {
  const { db } = await import("../platform/db.ts");
  return db().packageVersion.count({ where: { package: { name, namespace: { name: ns } } } });
}

async function rejected(p: Promise<unknown>): Promise<Rejection> {
  try {
    await p;
  } catch (err) {
    return err as Rejection;
  }
  assert.fail("expected the upload to be refused");
}

async function runToEnd(viewer: Viewer, versionId: string, fn: string, args: Record<string, unknown> = {}): Promise<RunDetail> {
  const { startRun, waitForRun } = await import("../runs/index.ts");
  const started = await startRun(viewer, { versionId, function: fn, args });
  return waitForRun(viewer, started.id);
}

let echo: Record<string, PublishResult> = {};

test("resolution pins the highest visible version matching the specifier, in the manifest and a VersionDependency row", async () => {
  echo = {};
  for (const v of ["1.0.0", "1.1.0", "2.0.0"]) echo[v] = await publish(bob, "bob", "echo", v, echoInit("bob", v, ".bob.echo"), { extra: [echoDockerfile(v)] });
  const wf = await publish(alice, "alice", "relay", "1.0.0", workflowInit("bob", "echo"), { deps: ["levrt>=0.1", "lev.bob.echo>=1,<2", "requests>=2"] });
  const manifest = wf.manifest as HubManifest;
  assert.deepEqual(manifest.dependencies, [{ namespace: "bob", name: "echo", version: "1.1.0", requirement: "lev.bob.echo>=1,<2" }]);
  assert.deepEqual(manifest.external, ["requests>=2"]);
  assert.ok(manifest.workflows.some((f) => f.name === "relay"), "introspection imported the dependency");
  const { db } = await import("../platform/db.ts");
  const rows = await db().versionDependency.findMany({ where: { versionId: wf.versionId } });
  assert.deepEqual(rows.map((r) => [r.dependencyId, r.requirement]), [[echo["1.1.0"].versionId, "lev.bob.echo>=1,<2"]]);

  // both sides on the package pages
  const { getPackage } = await import("../catalog/catalog.ts");
  const page = await getPackage(alice, "alice", "relay");
  assert.deepEqual(page.dependsOn, [{ namespace: "bob", name: "echo", version: "1.1.0", requirement: "lev.bob.echo>=1,<2", visible: true }]);
  assert.deepEqual(page.external, ["requests>=2"]);
  const used = await getPackage(null, "bob", "echo");
  assert.deepEqual(used.usedBy, [{ namespace: "alice", name: "relay", version: "1.0.0", requirement: null, visible: true }]);
});

test("without dependencies introspection fails on the import, as before: the package needs them declared", async () => {
  const err = await rejected(publish(alice, "alice", "undeclared", "1.0.0", workflowInit("bob", "echo")));
  assert.equal(err.code, "validation");
  assert.match(JSON.stringify(said(err)), /lev\.bob|No module named/);
  assert.equal(await versionCount("alice", "undeclared"), 0);
});

test("a missing package and one the uploader may not see are refused alike, with nothing published", async () => {
  await publish(bob, "bob", "hidden", "1.0.0", plainInit("h"), { private: true });
  const missing = await rejected(publish(alice, "alice", "needs", "1.0.0", plainInit("n"), { deps: ["lev.bob.nothing>=1"] }));
  const hidden = await rejected(publish(alice, "alice", "needs", "1.0.0", plainInit("n"), { deps: ["lev.bob.hidden>=1"] }));
  assert.equal(missing.code, "validation");
  assert.deepEqual(said(missing), ["pyproject.toml: dependency lev.bob.nothing: no such package"]);
  assert.deepEqual(said(hidden), ["pyproject.toml: dependency lev.bob.hidden: no such package"]);
  assert.equal(await versionCount("alice", "needs"), 0);
  // its owner may use it in a private package of their own
  const own = await publish(bob, "bob", "usehidden", "1.0.0", plainInit("u"), { deps: ["lev.bob.hidden"], private: true });
  assert.equal((own.manifest as HubManifest).dependencies?.[0]?.version, "1.0.0");
});

test("no matching version names the published ones", async () => {
  const err = await rejected(publish(alice, "alice", "needs", "1.0.0", plainInit("n"), { deps: ["lev.bob.echo>=3"] }));
  assert.deepEqual(said(err), ["pyproject.toml: dependency lev.bob.echo>=3: no published version matches (1.0.0, 1.1.0, 2.0.0)"]);
  assert.equal(await versionCount("alice", "needs"), 0);
});

test("a public version may depend only on public packages; a private one may use its owner's private packages", async () => {
  await publish(alice, "alice", "secret", "1.0.0", plainInit("s"), { private: true });
  const err = await rejected(publish(alice, "alice", "open", "1.0.0", plainInit("o"), { deps: ["lev.alice.secret"] }));
  assert.deepEqual(said(err), ["pyproject.toml: lev.alice.secret is private: a public version may depend only on public packages"]);
  assert.equal(await versionCount("alice", "open"), 0);
  const priv = await publish(alice, "alice", "open", "1.0.0", plainInit("o"), { deps: ["lev.alice.secret"], private: true });
  assert.equal((priv.manifest as HubManifest).dependencies?.length, 1);
  // the existing package stays private on the next upload (tri-state), so the rule still holds
  const next = await publish(alice, "alice", "open", "1.0.1", plainInit("o"), { deps: ["lev.alice.secret"], private: undefined });
  assert.equal(next.created, true);
});

test("cycles are refused: a package in its own closure", async () => {
  await publish(bob, "bob", "ca", "1.0.0", plainInit("a1"));
  await publish(bob, "bob", "cb", "1.0.0", plainInit("b1"), { deps: ["lev.bob.ca==1.0.0"] });
  const err = await rejected(publish(bob, "bob", "ca", "2.0.0", plainInit("a2"), { deps: ["lev.bob.cb"] }));
  assert.deepEqual(said(err), ["pyproject.toml: dependency cycle: lev.bob.ca → lev.bob.cb → lev.bob.ca"]);
  const self = await rejected(publish(bob, "bob", "ca", "2.0.0", plainInit("a2"), { deps: ["lev.bob.ca"] }));
  assert.deepEqual(said(self), ["pyproject.toml: dependency cycle: lev.bob.ca → lev.bob.ca"]);
  assert.equal(await versionCount("bob", "ca"), 1);
});

test("two versions of one package in a closure are a conflict", async () => {
  await publish(bob, "bob", "base", "1.0.0", plainInit("1"));
  await publish(bob, "bob", "base", "2.0.0", plainInit("2"));
  await publish(bob, "bob", "mid", "1.0.0", plainInit("m"), { deps: ["lev.bob.base==1.0.0"] });
  const err = await rejected(publish(alice, "alice", "both", "1.0.0", plainInit("b"), { deps: ["lev.bob.mid", "lev.bob.base>=2"] }));
  assert.deepEqual(said(err), ["pyproject.toml: conflicting versions of lev.bob.base: 1.0.0 (via lev.alice.both → lev.bob.mid) and 2.0.0 (via lev.alice.both)"]);
  assert.equal(await versionCount("alice", "both"), 0);
});

async function echoedBy(viewer: Viewer, run: RunDetail): Promise<Record<string, unknown>> {
  const { runDocuments } = await import("../runs/index.ts");
  const docs = await runDocuments(viewer, run.id);
  const echoed = docs.find((d) => "echo" in d.doc);
  assert.ok(echoed, `the dependency's mode stored its document: ${JSON.stringify(docs)}`);
  return echoed.doc;
}

test("alice's workflow runs bob's tool through the hub; a newer bob version changes nothing for the pinned one", async () => {
  const { db } = await import("../platform/db.ts");
  const wf = await db().packageVersion.findFirstOrThrow({ where: { version: "1.0.0", package: { name: "relay", namespace: { name: "alice" } } } });
  const first = await runToEnd(alice, wf.id, "relay", { text: "one" });
  assert.equal(first.status, "succeeded", JSON.stringify(first.error ?? first.logs.slice(-10)));
  const doc = await echoedBy(alice, first);
  assert.deepEqual([doc.echo, doc.version, doc.image], ["one", "1.1.0", "image-1.1.0"], "the pinned code in the pinned image");
  const stored = await db().run.findUniqueOrThrow({ where: { id: first.id } });
  const policy = stored.policy as { images: { refs: Record<string, string> }; packages?: Record<string, unknown> };
  assert.equal(policy.images.refs[".bob.echo"], echo["1.1.0"].imageRef ? (await db().packageVersion.findUniqueOrThrow({ where: { id: echo["1.1.0"].versionId } })).imageDigest : undefined);
  assert.equal(policy.packages, undefined, "bob.echo has no grant: no mode of it carries one");

  // bob publishes 1.2.0, which matches alice's specifier too: her 1.0.0 still runs 1.1.0
  await publish(bob, "bob", "echo", "1.2.0", echoInit("bob", "1.2.0", ".bob.echo"), { extra: [echoDockerfile("1.2.0")] });
  const again = await runToEnd(alice, wf.id, "relay", { text: "two" });
  assert.equal(again.status, "succeeded", JSON.stringify(again.error ?? again.logs.slice(-10)));
  const doc2 = await echoedBy(alice, again);
  assert.deepEqual([doc2.echo, doc2.version, doc2.image], ["two", "1.1.0", "image-1.1.0"]);
  // a new version of alice's workflow resolves again, to the newest match
  const wf2 = await publish(alice, "alice", "relay", "1.1.0", workflowInit("bob", "echo"), { deps: ["lev.bob.echo>=1,<2"] });
  assert.equal((wf2.manifest as HubManifest).dependencies?.[0]?.version, "1.2.0");
  const third = await runToEnd(alice, wf2.versionId, "relay", { text: "three" });
  const doc3 = await echoedBy(alice, third);
  assert.deepEqual([doc3.version, doc3.image], ["1.2.0", "image-1.2.0"]);
});

test("a dependency turned private since: its code runs for nobody who may not see it", async () => {
  await publish(bob, "bob", "fickle", "1.0.0", echoInit("bob", "f1", "levhub/python:bookworm"));
  const wf = await publish(alice, "alice", "fickleuse", "1.0.0", workflowInit("bob", "fickle"), { deps: ["lev.bob.fickle"] });
  await publish(bob, "bob", "fickle", "1.0.1", echoInit("bob", "f2", "levhub/python:bookworm"), { private: true });
  const { startRun } = await import("../runs/index.ts");
  const err = await rejected(startRun(alice, { versionId: wf.versionId, function: "relay", args: {} }));
  assert.equal(err.code, "validation");
  // the refusal names no package alice may not see
  assert.match(err.message ?? "", /depends on 1 package you may not see: it cannot run for you/);
  assert.doesNotMatch(err.message ?? "", /bob\.fickle/);
  const { publishedVersion } = await import("./version-fetch.ts");
  const fetchErr = await rejected(publishedVersion(alice, "alice", "fickleuse", "1.0.0"));
  assert.match(fetchErr.message ?? "", /depends on 1 package you may not see: it is not available to you/);
  assert.doesNotMatch(fetchErr.message ?? "", /bob\.fickle/);
});

const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) });
/** A request as alice's API token sends it (the session cookie needs a Next.js request scope). */
let aliceToken = "";
const asAlice = () => new Request("http://hub.test/x", { headers: { authorization: `Bearer ${aliceToken}` } });

test("the lev add routes: a version with its closure and sha256s; the archive is those bytes, deterministic; invisible is 404", async () => {
  const { GET: versionGet } = await import("../../app/api/packages/[ns]/[name]/versions/[version]/route.ts");
  const { GET: archiveGet } = await import("../../app/api/packages/[ns]/[name]/versions/[version]/archive/route.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  aliceToken = (await createToken(alice, { name: "lev add" })).token;
  const res = await versionGet(asAlice(), ctx({ ns: "alice", name: "relay", version: "1.0.0" }));
  assert.equal(res.status, 200);
  const meta = (await res.json()) as { namespace: string; version: string; sha256: string; dependencies: { namespace: string; name: string; version: string; sha256: string }[] };
  assert.deepEqual([meta.namespace, meta.version], ["alice", "1.0.0"]);
  assert.deepEqual(meta.dependencies.map((d) => `${d.namespace}.${d.name}@${d.version}`), ["bob.echo@1.1.0"]);
  const latest = (await (await versionGet(asAlice(), ctx({ ns: "alice", name: "relay", version: "latest" }))).json()) as { version: string };
  assert.equal(latest.version, "1.1.0");

  const sha = async (ns: string, name: string, version: string) => {
    const r = await archiveGet(asAlice(), ctx({ ns, name, version }));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/gzip");
    return createHash("sha256").update(Buffer.from(await r.arrayBuffer())).digest("hex");
  };
  assert.equal(await sha("alice", "relay", "1.0.0"), meta.sha256);
  assert.equal(await sha("bob", "echo", "1.1.0"), meta.dependencies[0].sha256);
  // built from the stored files with fixed metadata: the same bytes every time
  const { buildVersionArchive } = await import("./version-archive.ts");
  const { db } = await import("../platform/db.ts");
  const row = await db().packageVersion.findUniqueOrThrow({ where: { id: echo["1.1.0"].versionId } });
  const a = await buildVersionArchive(row.dir);
  await new Promise((r) => setTimeout(r, 1100));
  const b = await buildVersionArchive(row.dir);
  assert.ok(a.equals(b));
  assert.equal(createHash("sha256").update(a).digest("hex"), meta.dependencies[0].sha256);

  // bob's private package: 404 like a missing one
  for (const [ns, name, version] of [["bob", "hidden", "1.0.0"], ["bob", "nothing", "1.0.0"], ["bob", "hidden", "latest"]]) {
    assert.equal((await versionGet(asAlice(), ctx({ ns, name, version }))).status, 404);
    assert.equal((await archiveGet(asAlice(), ctx({ ns, name, version }))).status, 404);
  }
  assert.equal((await versionGet(asAlice(), ctx({ ns: "bob", name: "echo", version: "9.9.9" }))).status, 404);
  assert.equal((await versionGet(asAlice(), ctx({ ns: "bob", name: "echo", version: "../x" }))).status, 422);
});

test("grants follow published code: bob's mode gets bob's grant inside alice's workflow (built from bob's code), alice's own ask is refused, a host grant is refused on the hub's machine", async () => {
  const { signUpAdmin } = await import("../testing/accounts.ts");
  const { setGrant } = await import("../policy/grants.ts");
  const root = await signUpAdmin({ email: "root@example.org", username: "root_1", password: "longenough" });
  const probe = `"""Host probe: needs a network grant."""
import levrt
from levrt import Cr, annot, ctx


@annot.meta(desc="Probe with raw sockets", params=[annot.Param("text", "a label", holder="hi")])
def say(text: str = "hi") -> Cr:
    """Stores who it ran as and its capabilities."""
    # defined in the mode, so the runner builds this Cr from bob's code (the planner)
    @levrt.remote
    def entry():
        import os
        with open("/proc/self/status") as f:
            cap = next(l.split()[1] for l in f if l.startswith("CapEff:"))
        ctx.set(echo=text, version="probe", image=None, uid=os.getuid(), cap_eff=cap)

    return Cr("levhub/python:bookworm", entry=entry(), host=True)


__lev__ = annot.meta([say], desc="host probe")
`;
  await publish(bob, "bob", "hostprobe", "1.0.0", probe);
  await setGrant(root, { namespace: "bob", package: "hostprobe", network: "bridge", caps: ["NET_RAW"] });
  const wf = await publish(alice, "alice", "probeuse", "1.0.0", workflowInit("bob", "hostprobe"), { deps: ["lev.bob.hostprobe"] });
  const run = await runToEnd(alice, wf.versionId, "relay", { text: "via alice" });
  assert.equal(run.status, "succeeded", JSON.stringify(run.error ?? run.tasks.map((t) => t.error)));
  const doc = await echoedBy(alice, run);
  assert.deepEqual([doc.uid, doc.cap_eff], [0, "0000000000002000"], "bob's grant: root with NET_RAW (on the run's own network)");
  const { db } = await import("../platform/db.ts");
  const stored = await db().run.findUniqueOrThrow({ where: { id: run.id } });
  const policy = stored.policy as unknown as RunPolicy;
  assert.equal(policy.network, "none", "alice's workflow itself has no grant");
  assert.deepEqual(policy.packages?.["bob.hostprobe"]?.modes, {
    "lev.bob.hostprobe.say": { network: "bridge", caps: ["NET_RAW"], images: ["levhub/python:bookworm"] },
  });

  // the hub's own worker runs on this machine: a grant of the host's network is refused there
  await setGrant(root, { namespace: "bob", package: "hostprobe", network: "host", caps: ["NET_RAW"] });
  const onHub = await runToEnd(alice, wf.versionId, "relay", { text: "host" });
  assert.equal(onHub.error?.type, "PolicyDenied", JSON.stringify(onHub.error));
  assert.match(onHub.error?.message ?? "", /refused on this engine because its machine runs the hub/);
  const worker = await db().worker.findFirstOrThrow({ where: { state: "online" }, orderBy: { registeredAt: "desc" } });
  assert.equal(worker.hubMachine, true, "the worker's engine reported this machine's boot id");

  // the same code in alice's own package asks with alice's grant: refused
  const own = await publish(alice, "alice", "ownprobe", "1.0.0", probe);
  const denied = await runToEnd(alice, own.versionId, "say", { text: "own" });
  assert.equal(denied.error?.type, "PolicyDenied", JSON.stringify(denied.error));
});

/** The hub's two lev add routes behind a real HTTP listener on 127.0.0.1 (what the CLI talks to). */
async function serveLevAddRoutes(): Promise<{ url: string; close(): Promise<void> }> {
  const http = await import("node:http");
  const { GET: versionGet } = await import("../../app/api/packages/[ns]/[name]/versions/[version]/route.ts");
  const { GET: archiveGet } = await import("../../app/api/packages/[ns]/[name]/versions/[version]/archive/route.ts");
  const server = http.createServer(async (req, res) => {
    const m = /^\/api\/packages\/([^/]+)\/([^/]+)\/versions\/([^/]+)(\/archive)?$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (req.method !== "GET" || !m) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const handler = m[4] ? archiveGet : versionGet;
    const out = await handler(new Request(`http://127.0.0.1${req.url}`, { headers }), ctx({ ns: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]), version: decodeURIComponent(m[3]) }));
    res.writeHead(out.status, Object.fromEntries(out.headers));
    res.end(Buffer.from(await out.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test("lev add fetches a published version and its closure over HTTP; lev exec then runs the workflow offline", async () => {
  const { chmodSync, mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const { addPackage } = await import("../../runner/cli/deps.ts");
  const { main } = await import("../../runner/cli/main.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const token = (await createToken(alice, { name: "cli" })).token;

  // a local project of carol's that imports bob's tool, as Leviathan's docs write it
  const project = mkdtempSync(path.join(tmpdir(), "levhub-levadd-"));
  // containers read the project as an unprivileged user, as in a user's home directory
  chmodSync(project, 0o755);
  try {
    mkdirSync(path.join(project, "lev", "carol", "local"), { recursive: true });
    writeFileSync(path.join(project, "pyproject.toml"), `[project]\nname = "lev.carol.local"\nversion = "0.1.0"\ndependencies = [\n    "levrt",\n]\n`);
    writeFileSync(path.join(project, "lev", "carol", "local", "__init__.py"), workflowInit("bob", "echo"));

    const hubHttp = await serveLevAddRoutes();
    let added;
    try {
      // alice's relay 1.0.0 brings bob.echo 1.1.0 with it (its pinned closure)
      added = await addPackage(project, "alice.relay@1.0.0", { url: hubHttp.url, token });
      await assert.rejects(addPackage(project, "bob.hidden", { url: hubHttp.url, token }), /error not_found: package bob.hidden not found/);
    } finally {
      await hubHttp.close();
    }
    assert.deepEqual([added.version, added.dependencies.map((d) => `${d.namespace}.${d.name}@${d.version}`)], ["1.0.0", ["bob.echo@1.1.0"]]);
    assert.ok(existsSync(path.join(project, ".lev", "deps", "bob.echo", "lev", "bob", "echo", "__init__.py")));
    assert.ok(existsSync(path.join(project, ".lev", "deps", "alice.relay", "lev", "alice", "relay", "__init__.py")));
    assert.match(readFileSync(path.join(project, "pyproject.toml"), "utf8"), /"lev\.alice\.relay==1\.0\.0"/);

    // the hub is gone: lev exec runs from .lev/deps alone
    let out = "";
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(["exec", project, "relay", "--param", "text=offline", "--json"]);
    } finally {
      process.stdout.write = write;
    }
    assert.equal(code, 0, out);
    const docs = Object.values((JSON.parse(out) as { documents: Record<string, Record<string, unknown>[]> }).documents).flat();
    const echoed = docs.find((d) => "echo" in d);
    assert.ok(echoed, out);
    assert.deepEqual([echoed.echo, echoed.version, echoed.image], ["offline", "1.1.0", "image-1.1.0"]);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test("an admin's image alias reaches the run's policy, and the task records the image that really ran", async () => {
  const { updateSettings } = await import("../platform/settings.ts");
  await updateSettings({ imageAliases: { "alpine:latest": "levhub/python:bookworm" } });
  try {
    const pub = await publish(bob, "bob", "alpine", "1.0.0", echoInit("bob", "a1", "alpine:latest"));
    const run = await runToEnd(alice, pub.versionId, "say", { text: "aliased" });
    assert.equal(run.status, "succeeded", JSON.stringify(run.error));
    const task = run.tasks.find((t) => t.number > 0);
    assert.deepEqual([task?.image, task?.resolvedImage], ["alpine:latest", "levhub/python:bookworm"]);
    assert.equal((await echoedBy(alice, run)).echo, "aliased");
    const { db } = await import("../platform/db.ts");
    const stored = await db().run.findUniqueOrThrow({ where: { id: run.id } });
    assert.deepEqual((stored.policy as { images: { aliases?: Record<string, string> } }).images.aliases, { "alpine:latest": "levhub/python:bookworm" });
  } finally {
    await updateSettings({ imageAliases: {} });
  }
});
