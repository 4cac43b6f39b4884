/**
 * The trust boundary end to end on the real engines (PostgreSQL, FerretDB, Docker): privileges
 * only by an admin's grant, images only of packages the run's owner may see, bounded builds and
 * manifests, argument caps, visibility and concurrent uploads. Network tools scan only a target in a
 * network namespace the test creates (lib/testing/netns-target.ts).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { createNetnsTarget, type NetnsTarget } from "../testing/netns-target.ts";
import type { ArchiveEntry } from "../packages/archives.ts";
import type { HubRunError, RunDetail, Viewer } from "../types.ts";

/** The problems an error carries, each as `where: message` (or the message alone). */
const said = (e: { problems?: { where: string; message: string }[] }) => (e.problems ?? []).map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));

const NMAP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/szczecin.nmap_python");

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let target: NetnsTarget;

type Rejection = { code?: string; message?: string; problems?: { where: string; code: string; message: string }[]; fieldErrors?: Record<string, string> };

before(async () => {
  hub = await startTestHub();
  // runs go through the queue: a worker on this machine's engine takes them
  await hub.startWorker();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  target = await createNetnsTarget();
});
after(async () => {
  await target?.close();
  await hub?.close();
});

/** A one-file package `ns.name` whose `__init__.py` is `init`, with optional extra entries (a Dockerfile). */
async function pkg(ns: string, name: string, version: string, init: string, extra: ArchiveEntry[] = []) {
  const { buildZip } = await import("../packages/archives.ts");
  const { packageEntries } = await import("../testing/packages.ts");
  return { filename: `${name}.zip`, data: buildZip(packageEntries(ns, name, version, init, { extra: extra.map((e) => ({ ...e, name: `${ns}.${name}/${e.name}` })) })) };
}

/** A package of modes, each returning `Cr(<image>, entry=…)` that stores the marker file if any. */
function modesInit(images: Record<string, string>): string {
  const modes = Object.entries(images).map(
    ([fn, image]) => `
@annot.meta(desc="${fn}")
def ${fn}() -> Cr:
    """Runs in ${image}."""
    return Cr(${JSON.stringify(image)}, entry=entry())
`,
  );
  return `"""Image probes."""
import levrt
from levrt import Cr, annot, ctx


@levrt.remote
def entry():
    try:
        with open("/marker.txt") as f:
            ctx.set(marker=f.read().strip())
    except OSError:
        ctx.set(marker=None)
${modes.join("\n")}
__lev__ = annot.meta([${Object.keys(images).join(", ")}], desc="probes")
`;
}

const imagedDockerfile = (marker: string): ArchiveEntry => ({ name: "Dockerfile", data: `FROM levhub/python:bookworm\nRUN echo ${marker} > /marker.txt\n` });

async function runToEnd(viewer: Viewer, versionId: string, fn: string, args: Record<string, unknown> = {}): Promise<RunDetail> {
  const { startRun, waitForRun } = await import("../runs/index.ts");
  const started = await startRun(viewer, { versionId, function: fn, args });
  return waitForRun(viewer, started.id);
}

/** The refusal a run ended with: the first failed task's error, else the run's. */
function refusal(run: RunDetail): HubRunError | null {
  return run.tasks.find((t) => t.error)?.error ?? run.error;
}

/** The run's own error type: a refused task's error, carried to the run by the runner. */
function refusalType(run: RunDetail): string | undefined {
  assert.equal(run.error?.type, refusal(run)?.type, "the run ends with the refused task's error");
  return run.error?.type;
}

async function versionCount(ns: string, name: string): Promise<number> {
  const { db } = await import("../platform/db.ts");
  return db().packageVersion.count({ where: { package: { name, namespace: { name: ns } } } });
}

async function setSettings(patch: Record<string, unknown>) {
  const { updateSettings } = await import("../platform/settings.ts");
  await updateSettings(patch);
}

test("a user's copy of the nmap example gets no network until an admin grants it; the grant is the run's own bridge with NET_RAW, raw only by name; Run.policy records it", async () => {
  const { directoryEntries, buildZip } = await import("../packages/archives.ts");
  const { publishArchive } = await import("../packages/upload.ts");
  const { setGrant, revokeGrant } = await import("./grants.ts");
  const { runDocuments } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  // the example moved into alice's namespace, unchanged otherwise: Cr(IMAGE, host=True, …)
  const entries = directoryEntries(NMAP)
    .filter((e) => !e.name.startsWith("tests/"))
    .map((e) => ({
      name: e.name.replace("lev/szczecin/", "lev/alice/"),
      data: e.name === "pyproject.toml" ? String(e.data).replace("lev.szczecin.nmap_python", "lev.alice.nmap_python") : e.data,
    }));
  const pub = await publishArchive(alice, { filename: "nmap.zip", data: buildZip(entries) });
  const alive = pub.manifest.modes.find((f) => f.name === "alive");
  assert.ok(alive, "the copy has nmap.alive");
  assert.equal(alive.privileges?.hostNetwork, true, "introspection declares the host network");

  // a grant to bob's namespace does not help alice; alice cannot grant herself anything
  await setGrant(root, { namespace: "bob", network: "bridge", caps: ["NET_RAW"] });
  await assert.rejects(setGrant(alice, { namespace: "alice", network: "bridge", caps: ["NET_RAW"] }), (e: Rejection) => e.code === "forbidden");

  const denied = await runToEnd(alice, pub.versionId, "nmap.alive", { ip: target.ip });
  assert.equal(denied.status, "failed");
  assert.equal(refusalType(denied), "PolicyDenied", JSON.stringify(refusal(denied)));
  assert.match(refusal(denied)?.message ?? "", /host network/);
  const deniedRow = await db().run.findUniqueOrThrow({ where: { id: denied.id } });
  assert.equal((deniedRow.policy as { network?: string }).network, "none");

  const grant = await setGrant(root, { namespace: "alice", network: "bridge", caps: ["NET_RAW"], note: "raw scans" });
  const ok = await runToEnd(alice, pub.versionId, "nmap.alive", { ip: target.ip });
  assert.equal(ok.status, "succeeded", JSON.stringify(refusal(ok)));
  const docs = await runDocuments(alice, ok.id);
  assert.deepEqual(docs.map((d) => d.doc.alive), [[target.ip]], "the scan found the test's target from the run's own network");
  const okRow = await db().run.findUniqueOrThrow({ where: { id: ok.id } });
  const policy = okRow.policy as { network: string; caps: string[]; images: { any: boolean }; uncovered?: string[] };
  assert.deepEqual([policy.network, policy.caps, policy.images.any], ["bridge", ["NET_RAW"], false]);
  assert.deepEqual(policy.uncovered, ["lev.alice.nmap_python.nmap.raw"], "the raw mode is left out even inside a granted run");

  // raw command lines: not covered by a grant that does not name them
  const raw = await runToEnd(alice, pub.versionId, "nmap.raw", { argv: ["-sT", "-Pn", "-n", "-p", "1", target.ip] });
  assert.equal(refusalType(raw), "PolicyDenied", JSON.stringify(refusal(raw)));
  await setGrant(root, { namespace: "alice", network: "bridge", caps: ["NET_RAW"], modes: ["nmap.raw"], note: "raw only" });
  const named = await runToEnd(alice, pub.versionId, "nmap.raw", { argv: ["-sT", "-Pn", "-n", "-p", "1", target.ip] });
  assert.equal(named.status, "succeeded", JSON.stringify(refusal(named)));
  assert.equal(refusalType(await runToEnd(alice, pub.versionId, "nmap.alive", { ip: target.ip })), "PolicyDenied", "a grant naming modes covers only those");

  await revokeGrant(root, grant.id);
  const again = await runToEnd(alice, pub.versionId, "nmap.alive", { ip: target.ip });
  assert.equal(refusalType(again), "PolicyDenied", "a revoked grant no longer applies");
  const events = await db().auditEvent.findMany({ where: { action: { startsWith: "grant." } }, orderBy: { createdAt: "asc" } });
  assert.deepEqual(events.map((e) => [e.action, e.target]), [["grant.set", "bob"], ["grant.set", "alice"], ["grant.set", "alice"], ["grant.revoke", "alice"]]);
});

test("images: another user's private image reads exactly like a missing one; levpkg names are refused; a public image works", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const secret = await publishArchive(bob, await pkg("bob", "secret", "0.1.0", modesInit({ own: ".bob.secret" }), [imagedDockerfile("bob-secret")]), { private: true });
  assert.ok(secret.imageRef);
  await publishArchive(bob, await pkg("bob", "pub", "0.1.0", modesInit({ own: ".bob.pub" }), [imagedDockerfile("bob-public")]), { private: false });
  // bob runs his own private image
  const own = await runToEnd(bob, secret.versionId, "own");
  assert.equal(own.status, "succeeded", JSON.stringify(refusal(own)));

  const probes = await publishArchive(
    alice,
    await pkg("alice", "probes", "0.1.0", modesInit({ secret: ".bob.secret", missing: ".nobody.nothing", direct: secret.imageRef!, public: ".bob.pub:any" })),
  );
  const secretRun = await runToEnd(alice, probes.versionId, "secret");
  const missingRun = await runToEnd(alice, probes.versionId, "missing");
  const directRun = await runToEnd(alice, probes.versionId, "direct");
  for (const r of [secretRun, missingRun, directRun]) assert.equal(r.status, "failed");
  const a = refusal(secretRun)!;
  const b = refusal(missingRun)!;
  assert.equal(refusalType(secretRun), "ImageNotFound", JSON.stringify(a));
  assert.equal(a.type, b.type);
  // the message names the package the reference itself names, and nothing else: the same words for a private and a missing one
  const named = (m: string, ns: string, name: string) => m.replaceAll(`.${ns}.${name}`, "X").replaceAll(`${ns}.${name}`, "P");
  assert.equal(named(a.message, "bob", "secret"), named(b.message, "nobody", "nothing"), `${a.message} | ${b.message}`);
  const direct = refusal(directRun)!.message.replace(secret.imageRef!, "X");
  assert.equal(direct, "image 'X' is not available to this run", direct);

  const publicRun = await runToEnd(alice, probes.versionId, "public");
  assert.equal(publicRun.status, "succeeded", JSON.stringify(refusal(publicRun)));
  const { runDocuments } = await import("../runs/index.ts");
  assert.equal((await runDocuments(alice, publicRun.id)).find((d) => d.task === 1)?.doc.marker, "bob-public");
});

test("a Dockerfile FROM another user's private package is refused with the same text as a missing one; nothing is published", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const attempt = async (from: string) => {
    const archive = await pkg("alice", "derived", "0.1.0", modesInit({ own: ".alice.derived" }), [{ name: "Dockerfile", data: `FROM ${from}\nRUN true\n` }]);
    let err: Rejection | null = null;
    await publishArchive(alice, archive).catch((e: Rejection) => (err = e));
    assert.ok(err, `FROM ${from} was refused`);
    return err as Rejection;
  };
  const priv = await attempt(".bob.secret");
  const missing = await attempt(".nobody.nothing");
  const direct = await attempt("levpkg/bob.secret:0.1.0");
  for (const e of [priv, missing, direct]) assert.equal(e.code, "validation");
  assert.equal(String(priv.message).replaceAll(".bob.secret", "X"), String(missing.message).replaceAll(".nobody.nothing", "X"));
  assert.deepEqual(said(priv), ["Dockerfile: line 1: FROM .bob.secret: image '.bob.secret' is not available"]);
  assert.match(String(direct.message), /image 'levpkg\/bob\.secret:0\.1\.0' is not available/);
  assert.equal(await versionCount("alice", "derived"), 0);
  // a public package's image is a valid base, resolved to its id
  const ok = await publishArchive(alice, await pkg("alice", "derived", "0.1.0", modesInit({ own: ".alice.derived" }), [{ name: "Dockerfile", data: "FROM .bob.pub\nRUN true\n" }]));
  const run = await runToEnd(alice, ok.versionId, "own");
  assert.equal(run.status, "succeeded", JSON.stringify(refusal(run)));
  const { runDocuments } = await import("../runs/index.ts");
  assert.equal((await runDocuments(alice, run.id)).find((d) => d.task === 1)?.doc.marker, "bob-public", "built FROM bob's public image");
});

test("builds have no network by default, and a build that hangs ends at the time limit with nothing published", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const { getEngine } = await import("../platform/engine.ts");
  // exits 3 when the build container has any route: offline builds succeed, networked ones fail
  // (a token per build: Docker's build cache ignores the network mode and would reuse the first result)
  const probe = (token: string) =>
    `FROM levhub/python:bookworm\nRUN python3 -c "import sys; print('${token}'); sys.exit(3 if open('/proc/net/route').read().splitlines()[1:] else 0)"\n`;
  const offline = await publishArchive(alice, await pkg("alice", "netprobe", "0.1.0", modesInit({ own: ".alice.netprobe" }), [{ name: "Dockerfile", data: probe(`a${Date.now()}`) }]));
  assert.ok(offline.imageRef, "the offline build succeeded");
  await setSettings({ buildNetwork: "default" });
  try {
    await assert.rejects(
      publishArchive(alice, await pkg("alice", "netprobe", "0.2.0", modesInit({ own: ".alice.netprobe" }), [{ name: "Dockerfile", data: probe(`b${Date.now()}`) }])),
      (e: Rejection) => e.code === "validation" && /did not build/.test(e.message ?? ""),
      "with build networking on, the probe sees a route (so the first result means something)",
    );
  } finally {
    await setSettings({ buildNetwork: "none" });
  }

  // ADD <url> is fetched by the engine from the host's network (measured: with --network none, from
  // 127.0.0.1 of the Docker host), so it is refused before any build
  await assert.rejects(
    publishArchive(alice, await pkg("alice", "fetcher", "0.1.0", modesInit({ own: ".alice.fetcher" }), [{ name: "Dockerfile", data: "FROM levhub/python:bookworm\nADD http://127.0.0.1:9/x /x\n" }])),
    (e: Rejection) => e.code === "validation" && /downloads are not allowed/.test(e.message ?? ""),
  );
  assert.equal(await versionCount("alice", "fetcher"), 0);

  await setSettings({ build: { memoryBytes: 512 * 1024 * 1024, timeoutMs: 10_000 } });
  const t0 = Date.now();
  try {
    await assert.rejects(
      publishArchive(alice, await pkg("alice", "hang", "0.1.0", modesInit({ own: ".alice.hang" }), [{ name: "Dockerfile", data: "FROM levhub/python:bookworm\nRUN sleep 1d\n" }])),
      (e: Rejection) => e.code === "validation" && /took longer than 10 s and was stopped/.test(e.message ?? ""),
    );
  } finally {
    await setSettings({ build: { memoryBytes: 1024 * 1024 * 1024, timeoutMs: 600_000 } });
  }
  // stopped, not waited for: the build's own sleep is a day
  assert.ok(Date.now() - t0 < 120_000, `the upload ended promptly (${Date.now() - t0} ms)`);
  assert.equal(await versionCount("alice", "hang"), 0);
  // the engine stops the build container once the request is gone
  let left: string[] = [];
  for (let i = 0; i < 120; i++) {
    const all = await getEngine().docker.listContainers({ all: false });
    left = all.filter((c) => c.Command.includes("sleep 1d")).map((c) => c.Id);
    if (!left.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(left, [], "no build container keeps running");
});

test("a 2,000,000-character argument is refused with 413 naming the field, and no run is recorded", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const { goodInit } = await import("../testing/packages.ts");
  const { startRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  const { httpStatus } = await import("../errors.ts");
  await publishArchive(alice, await pkg("alice", "greeter", "0.1.0", goodInit()));
  const before = await db().run.count();
  await assert.rejects(startRun(alice, { package: "alice.greeter", function: "greet", args: { name: "x".repeat(2_000_000) } }), (e: Rejection) => {
    assert.equal(e.code, "too_large");
    assert.equal(httpStatus("too_large"), 413);
    assert.match(e.fieldErrors?.["args.name"] ?? "", /too large/);
    assert.match(e.message ?? "", /argument name/);
    return true;
  });
  assert.equal(await db().run.count(), before);
});

test("the upload form left as it is keeps a private package private; choosing 'public' makes it public", async () => {
  const { setActionViewerSource } = await import("../actions/safe-action.ts");
  const { uploadPackageAction } = await import("../../app/actions/upload-package.ts");
  const { publishArchive } = await import("../packages/upload.ts");
  const { goodInit } = await import("../testing/packages.ts");
  const { db } = await import("../platform/db.ts");
  await publishArchive(alice, await pkg("alice", "hidden", "0.1.0", goodInit()), { private: true });
  const previous = setActionViewerSource(async () => alice);
  try {
    const form = async (version: string, visibility?: string) => {
      const a = await pkg("alice", "hidden", version, goodInit());
      const fd = new FormData();
      fd.set("archive", new File([new Uint8Array(a.data)], a.filename));
      if (visibility !== undefined) fd.set("visibility", visibility);
      return uploadPackageAction({ status: "idle" }, fd);
    };
    const isPrivate = async () => (await db().package.findFirstOrThrow({ where: { name: "hidden", namespace: { name: "alice" } } })).private;
    assert.equal((await form("0.2.0")).status, "published");
    assert.equal(await isPrivate(), true, "no choice: still private");
    assert.equal((await form("0.3.0", "")).status, "published");
    assert.equal(await isPrivate(), true, "the default radio: still private");
    assert.equal((await form("0.4.0", "public")).status, "published");
    assert.equal(await isPrivate(), false, "asked explicitly: public");
  } finally {
    setActionViewerSource(previous);
  }
});

test("two concurrent uploads of one version: one is published, the other gets 409, the winner's files are intact", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const { goodInit } = await import("../testing/packages.ts");
  const { db } = await import("../platform/db.ts");
  // a marker of this run: the build cache would otherwise hand it an image an earlier run tagged
  const archive = await pkg("alice", "racer", "0.1.0", goodInit(), [imagedDockerfile(`race-${Date.now()}`)]);
  const results = await Promise.allSettled([publishArchive(alice, archive), publishArchive(alice, archive)]);
  const won = results.filter((r) => r.status === "fulfilled");
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
  assert.equal(lost.length, 1);
  assert.equal((lost[0].reason as Rejection).code, "conflict");
  const version = await db().packageVersion.findFirstOrThrow({ where: { version: "0.1.0", package: { name: "racer" } } });
  assert.ok(existsSync(path.join(version.dir, "lev/alice/racer/__init__.py")), "the winner's source is on disk");
  assert.ok(version.archivePath && existsSync(version.archivePath), "the winner's archive is on disk");
  const versionDirs = readdirSync(path.dirname(path.dirname(version.dir)));
  assert.deepEqual(versionDirs, [path.basename(path.dirname(version.dir))], "the loser left no directory");
  const run = await runToEnd(alice, version.id, "greet", { name: "race" });
  assert.equal(run.status, "succeeded", JSON.stringify(refusal(run)));
  const { getEngine } = await import("../platform/engine.ts");
  const tags = (await getEngine().docker.getImage(version.imageDigest!).inspect()).RepoTags;
  assert.deepEqual(tags, [version.imageRef], "the winner's image carries the winner's tag, the loser's is gone");
  await getEngine().docker.getImage(version.imageDigest!).remove({ force: true });
});

test("a manifest larger than 4 MiB is refused with a clear error and nothing is published", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const { goodInit } = await import("../testing/packages.ts");
  // a tiny archive whose import makes a 6 MB docstring: the manifest, not the upload, is large
  const init = goodInit().replace('"""A tiny greeting tool used by the hub\'s tests."""', '__doc__ = "x" * 6_000_000');
  await assert.rejects(publishArchive(alice, await pkg("alice", "chatty", "0.1.0", init)), (e: Rejection) => {
    assert.equal(e.code, "validation");
    assert.match(e.message ?? "", /manifest is larger than 4 MiB/);
    return true;
  });
  assert.equal(await versionCount("alice", "chatty"), 0);
});

test("the operator's grant to an example is what its functions ask for, by name, given once and never re-added after an admin revokes it; an older untouched one is replaced", async () => {
  const { publishDirectory } = await import("../packages/upload.ts");
  const { ensureOperatorGrant, listGrants, revokeGrant } = await import("./grants.ts");
  const { db } = await import("../platform/db.ts");
  const nmap = await publishDirectory("system", NMAP, { skipExisting: true });
  // an install from before grants named networks: the namespace-wide host networking npm start gave
  const ns = await db().namespace.findUniqueOrThrow({ where: { name: "szczecin" } });
  await db().grant.create({ data: { namespaceId: ns.id, packageId: null, network: "host", caps: ["NET_RAW"], note: "the operator's example (granted at start)" } });
  await db().auditEvent.create({ data: { actorId: null, action: "grant.operator", target: "szczecin", data: { hostNetwork: true, caps: ["NET_RAW"] } } });
  assert.equal(await ensureOperatorGrant(nmap), true, "nobody changed it: the operator's new grant replaces it");
  assert.equal(await ensureOperatorGrant(nmap), false, "already granted");
  const g = (await listGrants(root)).filter((x) => x.namespace === "szczecin");
  assert.equal(g.length, 1);
  assert.deepEqual([g[0].package, g[0].network, g[0].caps], ["nmap_python", "bridge", ["NET_RAW"]]);
  assert.ok(g[0].modes.includes("nmap.alive") && g[0].modes.includes("server_port"), JSON.stringify(g[0].modes));
  assert.equal(g[0].modes.includes("nmap.raw"), false, "the raw mode is not the operator's to grant");
  await revokeGrant(root, g[0].id);
  assert.equal(await ensureOperatorGrant(nmap), false, "a revoked operator grant stays revoked");
  assert.equal((await listGrants(root)).some((x) => x.namespace === "szczecin"), false);
  assert.equal(await ensureOperatorGrant({ ...nmap, namespace: "no_such_namespace" }), false);
  // an example that asks for nothing gets nothing
  const hello = await publishDirectory("system", path.resolve(NMAP, "../levhub.hello"), { skipExisting: true });
  assert.equal(await ensureOperatorGrant(hello), false, "hello asks for nothing: no grant");
});

test("grants: only grantable capabilities, existing targets, admins; a package grant reaches that package's runs only", async () => {
  const { setGrant, listGrants } = await import("./grants.ts");
  const { db } = await import("../platform/db.ts");
  const before = await db().grant.count();
  await assert.rejects(setGrant(root, { namespace: "alice", network: "none", caps: ["SYS_ADMIN" as "NET_RAW"] }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["caps.0"]));
  await assert.rejects(setGrant(root, { namespace: "nobody_here", network: "host", caps: [] }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.namespace));
  await assert.rejects(setGrant(root, { namespace: "alice", package: "no_such", network: "host", caps: [] }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.package));
  await assert.rejects(setGrant(root, { namespace: "alice", network: "macvlan", caps: [] }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["macvlan.parent"]));
  await assert.rejects(listGrants(alice), (e: Rejection) => e.code === "forbidden");
  assert.equal(await db().grant.count(), before, "refused grants change nothing");

  await setGrant(root, { namespace: "alice", package: "greeter", network: "none", caps: ["NET_ADMIN"] });
  // granting again replaces, it does not add a second row
  await setGrant(root, { namespace: "alice", package: "greeter", network: "none", caps: ["NET_BIND_SERVICE", "NET_ADMIN"] });
  assert.equal(await db().grant.count({ where: { package: { name: "greeter" } } }), 1);
  const greeter = await db().package.findFirstOrThrow({ where: { name: "greeter", namespace: { name: "alice" } } });
  const probes = await db().package.findFirstOrThrow({ where: { name: "probes", namespace: { name: "alice" } } });
  const greeted = await runToEnd(alice, greeter.latestVersionId!, "greet", { name: "grant" });
  assert.equal(greeted.status, "succeeded", JSON.stringify(refusal(greeted)));
  const policyOf = async (id: string) => (await db().run.findUniqueOrThrow({ where: { id } })).policy as { caps: string[] };
  assert.deepEqual((await policyOf(greeted.id)).caps, ["NET_ADMIN", "NET_BIND_SERVICE"]);
  const probed = await runToEnd(alice, probes.latestVersionId!, "public");
  assert.deepEqual((await policyOf(probed.id)).caps, [], "another package of the namespace gets nothing");
  const { getPackage } = await import("../catalog/catalog.ts");
  assert.deepEqual((await getPackage(alice, "alice", "greeter")).granted.greet, { network: "none", caps: ["NET_ADMIN", "NET_BIND_SERVICE"] });
});

test("policy settings: admins only, every value within its bounds, a refused change stores nothing", async () => {
  const { getPolicySettings, updatePolicySettings } = await import("./policy-settings.ts");
  const { getSettings } = await import("../platform/settings.ts");
  await assert.rejects(getPolicySettings(alice), (e: Rejection) => e.code === "forbidden");
  const current = await getPolicySettings(root);
  await assert.rejects(updatePolicySettings(alice, current), (e: Rejection) => e.code === "forbidden");
  await assert.rejects(updatePolicySettings(root, { ...current, args: { fieldBytes: 10, totalBytes: 1024 } }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["args.fieldBytes"]));
  await assert.rejects(updatePolicySettings(root, { ...current, buildNetwork: "host" }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.buildNetwork));
  await assert.rejects(updatePolicySettings(root, { ...current, signUpMode: "open" }), (e: Rejection) => e.code === "validation", "only the policy's keys");
  assert.deepEqual((await getSettings()).args, current.args);
  await updatePolicySettings(root, { ...current, args: { fieldBytes: 2048, totalBytes: 4096 } });
  assert.deepEqual((await getSettings()).args, { fieldBytes: 2048, totalBytes: 4096 });
  const { startRun } = await import("../runs/index.ts");
  await assert.rejects(startRun(alice, { package: "alice.greeter", function: "greet", args: { name: "x".repeat(3000) } }), (e: Rejection) => e.code === "too_large");
  await updatePolicySettings(root, current);
});
