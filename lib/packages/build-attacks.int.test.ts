/**
 * The attack corpus of issue 16 against the upload path (real Docker, PostgreSQL, FerretDB): a
 * Dockerfile that desynchronises a checker from the engine (an unknown directive before the
 * escape directive, a byte order mark, an escaped escape at the end of a line), COPY --from and
 * FROM of another user's private package image by any name, ADD of a URL on 127.0.0.1 in every
 * spelling, ONBUILD triggers, planted or inherited. Each attack is first shown to work on the
 * engine itself (a direct build, bypassing the hub), then refused by the hub: nothing published,
 * nothing built, nothing fetched, no secret in the error. Network traffic stays on 127.0.0.1.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { PublishResult, Viewer } from "../types.ts";

const PY = "levhub/python:bookworm";
/** what bob's private image holds, and what the 401 URL answers: neither may reach alice */
const SECRET = `secret-${randomBytes(8).toString("hex")}`;
const BODY_SECRET = `body-${randomBytes(8).toString("hex")}`;
/** the tag bob's image would have had under the old, guessable scheme */
const OLD_TAG = "levpkg/bob.secret:0.1.0";

let hub: TestHub;
let alice: Viewer;
let bob: Viewer;
let secret: PublishResult;
let pub: PublishResult;
let listener: Server;
let port = 0;
const fetched: string[] = [];
const extraImages: string[] = [];

type Rejection = { code?: string; message?: string; problems?: { where: string; code: string; message: string }[] };

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice, bob } = await signUpTestUsers());
  listener = createServer((req, res) => {
    fetched.push(req.url ?? "");
    if (req.url === "/ok") res.end("fetched\n");
    else res.writeHead(401).end(BODY_SECRET);
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as AddressInfo).port;
  secret = await publish(bob, "secret", `FROM ${PY}\nRUN echo ${SECRET} > /marker.txt\n`, { private: true });
  pub = await publish(bob, "pub", `FROM ${PY}\nLABEL zone.lev.test=public\n`, { private: false });
  const { getEngine } = await import("../platform/engine.ts");
  // as if built before this change: the guessable tag a stranger could write
  await getEngine().docker.getImage(secret.imageRef!).tag({ repo: "levpkg/bob.secret", tag: "0.1.0" });
  extraImages.push(OLD_TAG);
});
after(async () => {
  const { getEngine } = await import("../platform/engine.ts");
  const { db } = await import("../platform/db.ts");
  const refs = (await db().packageVersion.findMany({ select: { imageRef: true } })).map((v) => v.imageRef);
  for (const ref of [...extraImages, ...refs]) if (ref) await getEngine().docker.getImage(ref).remove({ force: true }).catch(() => undefined);
  listener?.close();
  await hub?.close();
});

async function archive(ns: string, name: string, dockerfile: string) {
  const { buildZip } = await import("./archives.ts");
  const { goodInit, packageEntries } = await import("../testing/packages.ts");
  return { filename: `${name}.zip`, data: buildZip(packageEntries(ns, name, "0.1.0", goodInit(), { extra: [{ name: `${ns}.${name}/Dockerfile`, data: dockerfile }] })) };
}

async function publish(who: Viewer, name: string, dockerfile: string, opts: { private?: boolean } = {}): Promise<PublishResult> {
  const { publishArchive } = await import("./upload.ts");
  return publishArchive(who, await archive(who.username, name, dockerfile), opts);
}

/** Builds a Dockerfile on the engine directly, as the hub did before: the attack's control. */
async function buildDirectly(dockerfile: string): Promise<{ log: string; error: string | null }> {
  const { getEngine } = await import("../platform/engine.ts");
  const ctx = pack();
  ctx.entry({ name: "Dockerfile" }, dockerfile);
  ctx.finalize();
  const tag = `levhub-test/attack:${randomBytes(6).toString("hex")}`;
  extraImages.push(tag);
  const lines: string[] = [];
  try {
    await getEngine().buildImage(ctx as unknown as Readable, tag, {}, (l) => lines.push(l), { networkMode: "none" });
    return { log: lines.join("\n"), error: null };
  } catch (err) {
    return { log: lines.join("\n"), error: err instanceof Error ? err.message : String(err) };
  }
}

/** Alice uploads `alice.<name>` with this Dockerfile: refused, nothing stored or built, no secret shown. */
async function refused(name: string, dockerfile: string): Promise<Rejection> {
  let rejection: Rejection | null = null;
  await publish(alice, name, dockerfile).catch((e: Rejection) => (rejection = e));
  assert.ok(rejection, `${name}: refused`);
  const r = rejection as Rejection;
  assert.equal(r.code, "validation", `${name}: ${r.message}`);
  const shown = JSON.stringify({ message: r.message, problems: r.problems });
  for (const s of [SECRET, BODY_SECRET]) assert.ok(!shown.includes(s), `${name}: the error shows no secret`);
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().packageVersion.count({ where: { package: { name, namespace: { name: "alice" } } } }), 0, `${name}: nothing published`);
  const { getEngine } = await import("../platform/engine.ts");
  const images = await getEngine().docker.listImages({ filters: JSON.stringify({ label: [`zone.lev.package=alice.${name}`] }) });
  assert.deepEqual(images, [], `${name}: nothing built`);
  return r;
}

const steal = (from: string) => `COPY --from=${from} /marker.txt /loot.txt\nRUN cat /loot.txt\n`;

test("the three desyncs of the finding work on the engine itself, and the hub refuses each before building", async () => {
  const attacks: [string, string, RegExp][] = [
    ["directive", `# x=y\n# escape=\`\nFROM ${PY}\nRUN true # \`\n${steal(OLD_TAG)}`, /line 1: unknown parser directive 'x'/],
    ["bom", `\uFEFF# escape=\`\nFROM ${PY}\nRUN echo hi \\\n${steal(OLD_TAG)}`, /line 4: COPY --from=levpkg\/bob\.secret:0\.1\.0: image 'levpkg\/bob\.secret:0\.1\.0' is not available/],
    ["escapedeol", `FROM ${PY}\nRUN echo hi \\\\\n${steal(OLD_TAG)}`, /line 3: COPY --from=levpkg\/bob\.secret:0\.1\.0: image .* is not available/],
  ];
  for (const [name, dockerfile, why] of attacks) {
    const control = await buildDirectly(dockerfile);
    assert.equal(control.error, null, `${name}: the engine builds it`);
    assert.ok(control.log.includes(SECRET), `${name}: on the engine alone, the hidden COPY reads bob's private image`);
    assert.match((await refused(name, dockerfile)).message ?? "", why, name);
  }
});

test("another user's private image reads 'not available' by every name: old tag, current tag, .ns.name, image id", async () => {
  const missing = await refused("copymissing", `FROM ${PY}\n${steal(".nobody.nothing")}`);
  const names = [OLD_TAG, secret.imageRef!, ".bob.secret", await imageIdOf(secret)];
  for (const [i, ref] of names.entries()) {
    const copy = await refused(`copy${i}`, `FROM ${PY}\n${steal(ref)}`);
    assert.equal(copy.message?.replaceAll(ref, "X"), missing.message?.replaceAll(".nobody.nothing", "X"), `COPY --from=${ref} reads like a missing image`);
    const from = await refused(`from${i}`, `FROM ${ref}\nRUN cat /marker.txt\n`);
    assert.match(from.message ?? "", /is not available/, `FROM ${ref}`);
  }
  assert.match(secret.imageRef!, /^levpkg\/bob\.secret:0\.1\.0-[0-9a-f]{32}$/, "the current tag carries 128 random bits");
});

async function imageIdOf(r: PublishResult): Promise<string> {
  const { db } = await import("../platform/db.ts");
  return (await db().packageVersion.findUniqueOrThrow({ where: { id: r.versionId } })).imageDigest!;
}

test("ADD of a URL on 127.0.0.1 is fetched by the engine despite --network none; the hub refuses every spelling and fetches nothing", async () => {
  const url = `http://127.0.0.1:${port}`;
  const ok = await buildDirectly(`FROM ${PY}\nADD ${url}/ok /x\n`);
  assert.equal(ok.error, null);
  assert.deepEqual(fetched, ["/ok"], "measured: the engine fetched from the host's 127.0.0.1 with the build network 'none'");
  const leak = await buildDirectly(`FROM ${PY}\nADD ${url}/private /x\n`);
  assert.ok(leak.error?.includes(BODY_SECRET), "measured: a 401 response's body comes back in the engine's error");
  fetched.length = 0;

  const spellings = [
    `ADD ${url}/a /x`,
    `ADD "${url}/b" /x`,
    `ADD h\\ttp://127.0.0.1:${port}/c /x`,
    `ARG U=${url}/d\nADD $U /x`,
    `ENV U=${url}/e\nADD \${U} /x`,
    `ADD ["\\u0068ttp://127.0.0.1:${port}/f", "/x"]`,
    `ADD --chown=1:1 ${url}/g /x`,
    `ONBUILD ADD ${url}/h /x`,
    `RUN echo \\\\\nADD ${url}/i /x`,
  ];
  for (const [i, line] of spellings.entries()) {
    const r = await refused(`fetch${i}`, `FROM ${PY}\n${line}\n`);
    assert.match(r.message ?? "", /downloads are not allowed|write its sources literally/, line);
  }
  assert.deepEqual(fetched, [], "nothing was fetched");
});

test("ONBUILD: triggers that read images are refused in an upload, and an inherited one refuses the build FROM its image", async () => {
  await refused("trigger", `FROM ${PY}\nONBUILD ${steal(OLD_TAG).split("\n")[0]}\n`);
  // an image built before this check, with a trigger reading bob's private image, as a public package's image
  const planted = `FROM ${PY}\nONBUILD ${steal(OLD_TAG).split("\n")[0]}\nONBUILD RUN cat /loot.txt\n`;
  const { getEngine } = await import("../platform/engine.ts");
  const ctx = pack();
  ctx.entry({ name: "Dockerfile" }, planted);
  ctx.finalize();
  const tag = `levhub-test/attack:${randomBytes(6).toString("hex")}`;
  extraImages.push(tag);
  const plantedId = await getEngine().buildImage(ctx as unknown as Readable, tag, {}, () => undefined, { networkMode: "none" });
  const inheriting = await buildDirectly(`FROM ${plantedId}\nRUN true\n`);
  assert.ok(inheriting.log.includes(SECRET), "on the engine alone, the inherited trigger reads bob's private image");

  const { db } = await import("../platform/db.ts");
  const real = await imageIdOf(pub);
  await db().packageVersion.update({ where: { id: pub.versionId }, data: { imageDigest: plantedId } });
  try {
    const r = await refused("inherits", `FROM .bob.pub\nRUN true\n`);
    assert.match(r.message ?? "", /line 1: FROM \.bob\.pub: the image's ONBUILD COPY --from=levpkg\/bob\.secret:0\.1\.0/);
  } finally {
    await db().packageVersion.update({ where: { id: pub.versionId }, data: { imageDigest: real } });
  }
});

test("a tricky but honest Dockerfile is built as checked, under an unguessable tag, FROM a public package's image by id", async () => {
  const dockerfile = `\uFEFF# escape=\`\n# a comment\nFROM .bob.pub AS base\nLABEL zone.lev.path="C:\\tools" \`\n\n  # inside\n  zone.lev.more=yes\nFROM base\nCOPY --from=BASE /etc/hostname /copied\n`;
  const r = await publish(alice, "honest", dockerfile);
  assert.match(r.imageRef ?? "", /^levpkg\/alice\.honest:0\.1\.0-[0-9a-f]{32}$/);
  const { getEngine } = await import("../platform/engine.ts");
  const info = await getEngine().docker.getImage(r.imageRef!).inspect();
  assert.equal(info.Config.Labels?.["zone.lev.path"], "C:\\tools", "the backtick escape kept the backslash");
  assert.equal(info.Config.Labels?.["zone.lev.more"], "yes", "the continuation went on past the blank line and the comment");
  assert.equal(info.Config.Labels?.["zone.lev.test"], "public", "built FROM bob's public image");
  assert.match(r.buildLog ?? "", new RegExp(`FROM ${await imageIdOf(pub)}`), "the build log shows the checked text: the image by its id");
});
