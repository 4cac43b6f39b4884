/**
 * An image reaches a worker's real Docker engine from the hub: a tiny image (FROM scratch, one
 * file) is built and saved, its tag removed, then a task-time lookup through HubImageEngine
 * streams the saved archive from a (fake) hub into `docker load`: the same image id comes back.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import { DockerodeEngine } from "../src/engine/engine.ts";
import { FAKE_TOKEN, FakeHub } from "../test/fake-hub.ts";
import { HubClient } from "./hub-client.ts";
import { HubImageEngine } from "./images.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";

const engine = new DockerodeEngine();
const tag = `levhub-test/worker-load:${randomBytes(4).toString("hex")}`;
after(async () => {
  await engine.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
});

async function buildTiny(): Promise<string> {
  const ctx = pack();
  ctx.entry({ name: "Dockerfile" }, `FROM scratch\nCOPY marker /marker\n`);
  ctx.entry({ name: "marker" }, randomBytes(8).toString("hex"));
  ctx.finalize();
  return engine.buildImage(ctx as unknown as Readable, tag, {}, () => undefined, { networkMode: "none" });
}

test("a missing image is streamed from the hub into docker load, once, keeping its id", async () => {
  const id = await buildTiny();
  const saved: Buffer[] = [];
  for await (const c of (await engine.docker.getImage(tag).get()) as unknown as AsyncIterable<Buffer>) saved.push(c);
  await engine.docker.getImage(tag).remove({ force: true });
  assert.equal(await engine.imageExists(tag), false);

  const hub = await new FakeHub().start();
  after(() => hub.close());
  hub.images.set(tag, Buffer.concat(saved));
  // a registered instance, as the hub serves files only to one
  const reg = (await (
    await fetch(`${hub.url}/api/worker/register`, {
      method: "POST",
      headers: { authorization: `Bearer ${FAKE_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, name: "w", version: "t", engine: { host: "h", version: "v" }, capacity: 1, labels: { hostNetwork: false } }),
    })
  ).json()) as { instance: string };
  const images = new HubImageEngine(engine, new HubClient({ url: hub.url, token: FAKE_TOKEN }), () => reg.instance);

  const [a, b] = await Promise.all([images.inspectImage(tag), images.imageExists(tag)]);
  assert.equal(a?.id, id, "docker save/load keeps the image id");
  assert.equal(b, true);
  assert.equal(hub.downloads.length, 1, "two lookups at once, one download");
  assert.equal(await images.imageExists("levhub-test/not-on-the-hub:1"), false, "an image the hub does not have stays missing");
});
